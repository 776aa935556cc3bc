using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansAgents.Collective;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Grains.Trust;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Collective;

[GenerateSerializer, Alias("OrleansAgents.NetworkAnalyticsState.v1")]
public sealed class NetworkAnalyticsState
{
    /// <summary>The communities "new" is judged against (members of each, ordinal).</summary>
    [Id(0)] public List<List<string>>? Baseline { get; set; }

    [Id(1)] public DateTimeOffset? BaselineAt { get; set; }
}

/// <summary>
/// Reads the shards' edges (kept up to date by the interactions themselves), analyses them at most
/// once per Collective:CacheDuration and keeps the community baseline, replaced once it is older
/// than Collective:BaselineInterval.
/// </summary>
public sealed class NetworkAnalyticsGrain(
    [PersistentState("network-analytics", StorageNames.Collective)] IPersistentState<NetworkAnalyticsState> state,
    IOptions<CollectiveOptions> options,
    TimeProvider time) : Grain, INetworkAnalyticsGrain
{
    private CollaborationNetwork? _cached;

    public async Task<CollaborationNetwork> GetAsync(int limit)
    {
        var now = time.GetUtcNow();
        if (_cached is null || now - _cached.ComputedAt >= options.Value.CacheDuration || options.Value.CacheDuration == TimeSpan.Zero)
        {
            _cached = await ComputeAsync(now);
        }

        return NetworkAnalysis.Page(_cached, Math.Clamp(limit, 1, NetworkRules.MaxPageSize));
    }

    private async Task<CollaborationNetwork> ComputeAsync(DateTimeOffset now)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, NetworkRules.Shards).Select(i =>
            GrainFactory.GetGrain<INetworkShardGrain>(i.ToString(CultureInfo.InvariantCulture)).ListAsync().AsTask()));
        var snapshot = await GrainFactory.GetGrain<ITrustCoordinatorGrain>(TrustRules.DefaultDomain).GetSnapshotAsync(0);
        var view = snapshot is null ? null : new TrustView(snapshot);
        double? gini = snapshot is null ? null
            : NetworkAlgorithms.Gini(snapshot.Peers.Select((p, i) => (p, t: snapshot.Trust[i])).Where(x => !x.p.StartsWith('@')).Select(x => x.t));

        var s = state.State;
        var network = NetworkAnalysis.Analyse([.. shards.SelectMany(e => e)], id => view?.TrustOf(id), gini,
            s.Baseline?.Select(b => (IReadOnlyList<string>)b).ToList(), s.BaselineAt, options.Value, now);
        if (s.BaselineAt is null || now - s.BaselineAt >= options.Value.BaselineInterval)
        {
            s.Baseline = [.. network.Communities.Select(c => c.Members.ToList())];
            s.BaselineAt = now;
            await state.WriteStateAsync();
        }

        return network;
    }
}
