namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// The reminder that brings a grain's unfinished work back after its silo dies. Remembers the
/// handle it registered, so unregistering usually skips reading the reminder row back; a stale
/// handle (another activation re-registered it) falls back to the stored row, and a reminder
/// that is already gone is not an error.
/// </summary>
public sealed class Watchdog(IGrainBase grain, string name, Func<TimeSpan> interval)
{
    private IGrainReminder? _registered; // as registered by this activation

    public string Name => name;

    /// <summary>Registers (or renews) the reminder; idempotent.</summary>
    public async Task RegisterAsync()
    {
        var period = interval();
        _registered = await grain.RegisterOrUpdateReminder(name, period, period);
    }

    /// <summary>Removes the reminder if there is one.</summary>
    public async Task UnregisterAsync()
    {
        var known = _registered;
        _registered = null;
        if (known is not null)
        {
            try
            {
                await grain.UnregisterReminder(known);
                return;
            }
            catch (ReminderException)
            {
                // Stale handle or already removed: look at the stored row.
            }
        }

        if (await grain.GetReminder(name) is { } stored)
        {
            try
            {
                await grain.UnregisterReminder(stored);
            }
            catch (ReminderException)
            {
                // Removed meanwhile (another activation finished first): nothing left to do.
            }
        }
    }
}
