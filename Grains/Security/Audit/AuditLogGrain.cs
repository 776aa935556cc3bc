using Orleans.Concurrency;

namespace OrleansAgents.Grains.Security.Audit;

/// <summary>
/// The audit log's grain face. Stateless: the store holds the log, so every silo runs local
/// activations and no single grain sits in the path of every audited request.
/// </summary>
[StatelessWorker]
public sealed class AuditLogGrain(IAuditStore store) : Grain, IAuditLogGrain
{
    public Task AppendAsync(AuditEntry entry) => store.AppendAsync(entry);

    public Task<AuditPage> QueryAsync(AuditQuery query) => store.QueryAsync(query);
}
