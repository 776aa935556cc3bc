using Orleans.Concurrency;

namespace OrleansAgents.Swarms;

/// <summary>
/// One consensus round (key: round id, see <see cref="ConsensusRules.IdPattern"/>). It picks the
/// agents, submits one task to each, collects answers until every agent has finished or the
/// deadline passes, aggregates and rates. It keeps a reminder while unfinished, so a silo crash
/// cannot lose it.
/// </summary>
[Alias("OrleansAgents.IConsensusRoundGrain")]
public interface IConsensusRoundGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates, picks agents and submits their tasks. A repeat of the same request returns the
    /// round; a different request under the same id is a conflict. Nothing is stored when rejected.
    /// </summary>
    [Alias("Start")]
    Task<ConsensusRoundView> StartAsync(ConsensusRequest request);

    [Alias("Get"), AlwaysInterleave]
    ValueTask<ConsensusRoundView?> GetAsync();

    /// <summary>The round once it has finished, or as it is after <paramref name="maxWait"/> or when <paramref name="cancellationToken"/> is cancelled.</summary>
    [Alias("Wait"), AlwaysInterleave]
    Task<ConsensusRoundView?> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>A task of the round finished (one-way: the task grain never waits on the round).</summary>
    [Alias("TaskFinished"), OneWay]
    Task TaskFinishedAsync(ConsensusTaskResult result);
}
