using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Ranks candidates by global trust discounted by load: trust / (1 + (running + queued) / slots),
/// highest first, ties least loaded first. Agents the last computation did not know count as the
/// uniform share 1/n, i.e. as an average agent, so newcomers get work; and a share
/// Trust:RoutingExploration of decisions ignores trust altogether (least loaded first).
/// Scores are cached per silo for Trust:RoutingCacheDuration.
/// </summary>
public sealed class TrustAgentSelector(IGrainFactory grains, IOptions<TrustOptions> options, TimeProvider time) : IAgentSelector
{
    private static readonly LeastLoadedAgentSelector LeastLoaded = new();
    private volatile Cached? _cached;
    private Task<TrustView>? _refresh;

    public async ValueTask<IReadOnlyList<AgentLoad>> RankAsync(string capability, string skill, IReadOnlyList<AgentLoad> candidates)
    {
        var exploration = options.Value.RoutingExploration;
        if (candidates.Count <= 1 || (exploration > 0 && Random.Shared.NextDouble() < exploration))
        {
            return await LeastLoaded.RankAsync(capability, skill, candidates);
        }

        TrustView view;
        try
        {
            view = await ViewAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Routing must not depend on trust being readable: fall back to the default order.
            return await LeastLoaded.RankAsync(capability, skill, candidates);
        }

        return [.. candidates
            .Select(c => (Load: c, Trust: view.TrustOf(c.AgentId), Busy: (c.Running + c.Queued) / (double)Math.Max(1, c.MaxConcurrentTasks)))
            .OrderByDescending(c => c.Trust / (1 + c.Busy))
            .ThenBy(c => c.Busy)
            .ThenBy(c => c.Load.Queued)
            .ThenBy(c => c.Load.AgentId, StringComparer.Ordinal)
            .Select(c => c.Load)];
    }

    private async ValueTask<TrustView> ViewAsync()
    {
        var cached = _cached;
        if (cached is not null && time.GetUtcNow() - cached.At < options.Value.RoutingCacheDuration)
        {
            return cached.View;
        }

        // One refresh at a time per silo; concurrent decisions share it.
        var refresh = Volatile.Read(ref _refresh);
        if (refresh is null)
        {
            var mine = RefreshAsync(cached?.View);
            refresh = Interlocked.CompareExchange(ref _refresh, mine, null) ?? mine;
        }

        return await refresh;
    }

    private async Task<TrustView> RefreshAsync(TrustView? known)
    {
        try
        {
            var snapshot = await grains.GetGrain<ITrustCoordinatorGrain>(TrustRules.DefaultDomain).GetSnapshotAsync(known?.Version ?? 0);
            var view = snapshot is not null ? new TrustView(snapshot) : known ?? TrustView.Empty(TrustRules.DefaultDomain);
            _cached = new Cached(view, time.GetUtcNow());
            return view;
        }
        finally
        {
            Volatile.Write(ref _refresh, null);
        }
    }

    private sealed record class Cached(TrustView View, DateTimeOffset At);
}
