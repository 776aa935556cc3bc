namespace OrleansAgents.Grains.Hosting;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state; on failure the in-memory state is ahead of storage, so the grain is
    /// deactivated and the next call reloads what is really stored.
    /// </summary>
    public static async Task SaveOrDeactivateAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
