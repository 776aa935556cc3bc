using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>A snapshot indexed for reads: lookup by id and the ranking of agents (virtual peers are not ranked).</summary>
public sealed class TrustView
{
    private readonly Dictionary<string, int> _index;
    private readonly int[] _ranked;
    private readonly int[] _rankOf;

    public TrustView(GlobalTrustSnapshot snapshot)
    {
        Snapshot = snapshot;
        _index = new Dictionary<string, int>(snapshot.Peers.Count, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Peers.Count; i++)
        {
            _index[snapshot.Peers[i]] = i;
        }

        _ranked = [.. Enumerable.Range(0, snapshot.Peers.Count)
            .Where(i => !snapshot.Peers[i].StartsWith('@'))
            .OrderByDescending(i => snapshot.Trust[i])
            .ThenBy(i => snapshot.Peers[i], StringComparer.Ordinal)];
        _rankOf = new int[snapshot.Peers.Count];
        for (var r = 0; r < _ranked.Length; r++)
        {
            _rankOf[_ranked[r]] = r + 1;
        }

        Uniform = 1.0 / Math.Max(1, snapshot.Peers.Count);
    }

    public GlobalTrustSnapshot Snapshot { get; }

    public long Version => Snapshot.Version;

    /// <summary>What an agent the computation did not know is worth: the uniform share 1/n.</summary>
    public double Uniform { get; }

    public static TrustView Empty(string domain) => new(new GlobalTrustSnapshot(domain, 0, [], [], default, 0, 0));

    public double TrustOf(string agentId) => _index.TryGetValue(agentId, out var i) ? Snapshot.Trust[i] : Uniform;

    public GlobalTrustScore Score(string agentId) => _index.TryGetValue(agentId, out var i)
        ? new GlobalTrustScore(agentId, Snapshot.Trust[i], _rankOf[i] == 0 ? null : _rankOf[i], true, Version, Snapshot.ComputedAt)
        : new GlobalTrustScore(agentId, Uniform, null, false, Version, Version == 0 ? null : Snapshot.ComputedAt);

    public GlobalTrustPage Page(int offset, int limit) => new(
        [.. _ranked.Skip(offset).Take(limit).Select(i => new GlobalTrustScore(Snapshot.Peers[i], Snapshot.Trust[i], _rankOf[i], true, Version, Snapshot.ComputedAt))],
        _ranked.Length,
        Version,
        Version == 0 ? null : Snapshot.ComputedAt);
}
