namespace OrleansAgents.Grains.Security.Audit;

/// <summary>
/// Where audit entries are kept: in memory by default (embedded mode, test clusters), in the
/// append-only PostgreSQL table on durable silos. Implementations are shared by every grain
/// activation of a silo, so they must be thread-safe.
/// </summary>
/// <remarks>
/// <see cref="AuditEntry.Detail"/> is for people and must never carry secrets (passwords,
/// tokens, API keys): callers pass none, and the log cannot be edited afterwards.
/// </remarks>
public interface IAuditStore
{
    /// <summary>Stores the entry, cut to <see cref="AuditRules"/>; the store assigns the id and the time.</summary>
    Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Entries matching the query, newest (highest id) first, with the id to continue before.</summary>
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
