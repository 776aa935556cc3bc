using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// One UTC day's usage rows (user, agent, provider/model). Every turn of the day records here, so
/// the grain writes on a timer (<see cref="CheckpointInterval"/>) instead of once per turn: a crash
/// may drop the last seconds from this report, never from a budget (budgets are checked against
/// <see cref="AgentSpendGrain"/>, which writes every turn).
/// </summary>
public sealed class UsageDayGrain(
    [PersistentState("usage-day", StorageNames.Tasks)] IPersistentState<UsageDayState> state) : Grain, IUsageDayGrain
{
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(2);
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(CheckpointAsync, new GrainTimerCreationOptions { DueTime = CheckpointInterval, Period = CheckpointInterval });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _dirty ? state.WriteStateAsync(cancellationToken) : Task.CompletedTask;

    public Task RecordAsync(string user, string agentId, ModelUsage usage)
    {
        var key = string.Join('\n', user, agentId, usage.Provider, usage.Model);
        var rows = state.State.Rows;
        rows[key] = rows.TryGetValue(key, out var known)
            ? known with { Usage = known.Usage.Plus(usage) }
            : new UsageRow(user, agentId, usage);
        _dirty = true;
        return Task.CompletedTask;
    }

    public ValueTask<IReadOnlyList<UsageRow>> ListAsync(string? user) =>
        ValueTask.FromResult<IReadOnlyList<UsageRow>>([.. state.State.Rows.Values.Where(r => user is null || r.User == user)]);

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            _dirty = true; // the next tick tries again
            throw;
        }
    }
}

[GenerateSerializer, Alias("OrleansAgents.UsageDayState.v1")]
public sealed class UsageDayState
{
    /// <summary>Key: user, agent, provider and model joined by newlines.</summary>
    [Id(0)] public Dictionary<string, UsageRow> Rows { get; set; } = new(StringComparer.Ordinal);
}
