using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Holds the normalised rows of a range of raters as compressed arrays (row offsets, target
/// indexes, c_ij) for one computation, so an iteration is one call per partition rather than
/// one per agent. Nothing is stored: a lost partition fails the computation, which is retried.
/// </summary>
public sealed class TrustPartitionGrain : Grain, ITrustPartitionGrain
{
    private long _epoch = -1;
    private int _start;
    private int _peers;
    private int[] _rowStart = [];
    private int[] _targets = [];
    private double[] _weights = [];

    public async Task<TrustPartitionLoaded> LoadAsync(TrustPartitionLoad load)
    {
        var index = new Dictionary<string, int>(load.Peers.Count, StringComparer.Ordinal);
        for (var i = 0; i < load.Peers.Count; i++)
        {
            index[load.Peers[i]] = i;
        }

        var domain = TrustKeys.Split(this.GetPrimaryKeyString()).Domain;
        var rowStart = new int[load.Count + 1];
        var targets = new List<int>();
        var weights = new List<double>();
        long ratings = 0;
        var empty = 0;
        for (var batch = 0; batch < load.Count; batch += load.BatchSize)
        {
            var size = Math.Min(load.BatchSize, load.Count - batch);
            var rows = await Task.WhenAll(Enumerable.Range(load.Start + batch, size).Select(i =>
                GrainFactory.GetGrain<ILocalTrustGrain>(TrustRules.RowKey(domain, load.Peers[i])).GetRowAsync().AsTask()));
            for (var r = 0; r < rows.Length; r++)
            {
                var row = rows[r];
                ratings += row.Ratings;
                var normalized = EigenTrust.Normalize(row.Rater, row.Entries, index.ContainsKey);
                if (normalized.Count == 0)
                {
                    empty++;
                }

                foreach (var (target, c) in normalized)
                {
                    targets.Add(index[target]);
                    weights.Add(c);
                }

                rowStart[batch + r + 1] = targets.Count;
            }
        }

        (_epoch, _start, _peers) = (load.Epoch, load.Start, load.Peers.Count);
        (_rowStart, _targets, _weights) = (rowStart, [.. targets], [.. weights]);
        return new TrustPartitionLoaded(load.Count, empty, targets.Count, ratings);
    }

    public Task<TrustContribution> IterateAsync(long epoch, double[] trust)
    {
        if (epoch != _epoch || trust.Length != _peers)
        {
            throw new InvalidOperationException($"Partition {this.GetPrimaryKeyString()} holds computation {_epoch}, not {epoch}.");
        }

        var values = new double[_peers];
        var dangling = 0.0;
        for (var r = 0; r < _rowStart.Length - 1; r++)
        {
            var mass = trust[_start + r];
            int from = _rowStart[r], to = _rowStart[r + 1];
            if (from == to)
            {
                dangling += mass;
                continue;
            }

            for (var e = from; e < to; e++)
            {
                values[_targets[e]] += _weights[e] * mass;
            }
        }

        return Task.FromResult(new TrustContribution(values, dangling));
    }

    public Task ReleaseAsync(long epoch)
    {
        if (epoch == _epoch)
        {
            (_rowStart, _targets, _weights, _epoch) = ([], [], [], -1);
            DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }
}
