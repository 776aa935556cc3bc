using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Errors;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Trust;

/// <summary>
/// Serves reads of a domain's global trust (key) from a per-silo copy of the stored snapshot,
/// refreshed at most every Trust:ReadCacheDuration, so readers never queue on the coordinator.
/// </summary>
[StatelessWorker]
public sealed class TrustReaderGrain(IOptions<TrustOptions> options, TimeProvider time) : Grain, ITrustReaderGrain
{
    private TrustView? _view;
    private DateTimeOffset _readAt;

    public async ValueTask<IReadOnlyDictionary<string, double>> GetGlobalTrustAsync(IReadOnlyList<string> agentIds)
    {
        var view = await ViewAsync(false);
        var result = new Dictionary<string, double>(agentIds.Count, StringComparer.Ordinal);
        foreach (var id in agentIds)
        {
            result[id] = view.TrustOf(id);
        }

        return result;
    }

    public async ValueTask<GlobalTrustScore> GetAsync(string agentId) => (await ViewAsync(false)).Score(agentId);

    public async ValueTask<GlobalTrustPage> ListAsync(int offset, int limit, long version)
    {
        var view = await ViewAsync(false);
        if (version != 0 && version != view.Version)
        {
            view = await ViewAsync(true);
            if (version != view.Version)
            {
                throw new DomainException(ErrorCodes.InvalidCursor, "Global trust was recomputed since this cursor was issued; start again without it.");
            }
        }

        return view.Page(Math.Max(0, offset), Math.Clamp(limit, 1, TrustRules.MaxPageSize));
    }

    private async ValueTask<TrustView> ViewAsync(bool force)
    {
        var now = time.GetUtcNow();
        if (_view is not null && !force && now - _readAt < options.Value.ReadCacheDuration)
        {
            return _view;
        }

        var domain = this.GetPrimaryKeyString();
        var snapshot = await GrainFactory.GetGrain<ITrustCoordinatorGrain>(domain).GetSnapshotAsync(_view?.Version ?? 0);
        _view = snapshot is not null ? new TrustView(snapshot) : _view ?? TrustView.Empty(domain);
        _readAt = now;
        return _view;
    }
}
