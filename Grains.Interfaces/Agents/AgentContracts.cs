namespace OrleansAgents.Agents;

[GenerateSerializer, Alias("OrleansAgents.AgentStatus")]
public enum AgentStatus
{
    Idle = 0,
    Busy = 1,
    Unhealthy = 2,
    Retired = 3,

    /// <summary>Live, but a dependency is down: the breaker of its model's provider is open. Routing prefers other agents.</summary>
    Degraded = 4,
}

/// <summary>
/// Who does an agent's work. <see cref="Hosted"/>: the cluster runs it (its skills run in the silos),
/// so it is live while the cluster is and needs no heartbeat. <see cref="External"/>: a process
/// outside does the work and proves it is alive by heartbeats; a stale one is unhealthy.
/// Stored registrations from before kinds existed read as <see cref="Hosted"/> (the zero value),
/// which is what they always were: their skills ran in the silos.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.AgentKind")]
public enum AgentKind
{
    Hosted = 0,
    External = 1,
}

/// <summary>What a caller sends to register or update an agent.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentSpec")]
public sealed record class AgentSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] IReadOnlyList<string> Capabilities,
    [property: Id(3)] int MaxConcurrentTasks,
    [property: Id(4)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(5)] AgentKind Kind = AgentKind.Hosted,
    [property: Id(6)] string? Instructions = null,
    [property: Id(7)] AgentModel? Model = null,
    [property: Id(8)] IReadOnlyList<string>? Tools = null,
    [property: Id(9)] int? MaxTurns = null,
    [property: Id(10)] int? MaxToolCalls = null,
    [property: Id(11)] decimal? DailyBudgetUsd = null,
    [property: Id(12)] long? DailyBudgetTokens = null);

/// <summary>
/// The model a hosted agent thinks with: a provider of <c>Skills:Llm:Providers</c> (its endpoint and
/// key stay in configuration, never in the registration), optionally another model than the
/// provider's default, and sampling limits.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentModel")]
public sealed record class AgentModel(
    [property: Id(0)] string Provider,
    [property: Id(1)] string? Model = null,
    [property: Id(2)] double? Temperature = null,
    [property: Id(3)] int? MaxOutputTokens = null);

/// <summary>An agent as readers see it, with its status derived at read time.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentView")]
public sealed record class AgentView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] IReadOnlyList<string> Capabilities,
    [property: Id(4)] int MaxConcurrentTasks,
    [property: Id(5)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(6)] AgentStatus Status,
    [property: Id(7)] int ActiveTasks,
    [property: Id(8)] DateTimeOffset RegisteredAt,
    [property: Id(9)] DateTimeOffset UpdatedAt,
    [property: Id(10)] DateTimeOffset LastHeartbeatAt,
    [property: Id(11)] DateTimeOffset? RetiredAt,
    [property: Id(12)] long Version,
    [property: Id(13)] int QueuedTasks = 0,
    [property: Id(14)] int RunningTasks = 0,
    [property: Id(15)] AgentKind Kind = AgentKind.Hosted,
    [property: Id(16)] string? Instructions = null,
    [property: Id(17)] AgentModel? Model = null,
    [property: Id(18)] IReadOnlyList<string>? Tools = null,
    [property: Id(19)] int? MaxTurns = null,
    [property: Id(20)] int? MaxToolCalls = null,
    [property: Id(21)] decimal? DailyBudgetUsd = null,
    [property: Id(22)] DateTimeOffset? DegradedUntil = null,
    [property: Id(23)] long? DailyBudgetTokens = null);

/// <summary>A heartbeat: the agent is alive and reports how many tasks it is running.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentHeartbeat")]
public sealed record class AgentHeartbeat([property: Id(0)] int ActiveTasks);

/// <summary>The part of an agent the directory shards keep, enough to count and list.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentSummary")]
public sealed record class AgentSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] bool Retired,
    [property: Id(2)] bool AtCapacity,
    [property: Id(3)] DateTimeOffset LastHeartbeatAt,
    [property: Id(4)] bool NeedsHeartbeat = false);

/// <summary>One page of ids from an index, in ascending ordinal order.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentIdPage")]
public sealed record class AgentIdPage(
    [property: Id(0)] IReadOnlyList<string> Ids,
    [property: Id(1)] bool HasMore);

[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentQuery")]
public sealed record class AgentQuery(
    [property: Id(0)] string? Capability,
    [property: Id(1)] AgentStatus? Status,
    [property: Id(2)] int Limit,
    [property: Id(3)] string? After);

[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentPage")]
public sealed record class AgentPage(
    [property: Id(0)] IReadOnlyList<AgentView> Items,
    [property: Id(1)] string? NextCursor);

[GenerateSerializer, Immutable, Alias("OrleansAgents.AgentStatusCounts")]
public sealed record class AgentStatusCounts(
    [property: Id(0)] int Idle,
    [property: Id(1)] int Busy,
    [property: Id(2)] int Unhealthy,
    [property: Id(3)] int Retired);
