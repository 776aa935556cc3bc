using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Api.OperatorConsole;

// The console reads the API's JSON as any client would: enums stay strings, unknown fields are ignored.
#pragma warning disable CA1812 // Instantiated by System.Text.Json.

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record AgentItem(
    string Id, string Name, string? Description, IReadOnlyList<string> Capabilities, int MaxConcurrentTasks,
    IReadOnlyDictionary<string, string>? Metadata, string Status, int ActiveTasks, DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt, DateTimeOffset LastHeartbeatAt, DateTimeOffset? RetiredAt, long Version,
    int QueuedTasks, int RunningTasks, string Kind, string? Instructions, IReadOnlyList<string>? Tools, JsonObject? Model);

public sealed record ErrorItem(string Code, string Message);

public sealed record AttemptItem(int Number, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, ErrorItem? Error, string Silo);

public sealed record TaskItem(
    string Id, string AgentId, string? Capability, string Skill, JsonElement? Input, string Priority, string State,
    int MaxAttempts, IReadOnlyList<AttemptItem>? Attempts, JsonElement? Result, ErrorItem? Error, string? SubmittedBy,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt);

/// <summary>A task in a list: attempts is a count there.</summary>
public sealed record TaskSummaryItem(string Id, string AgentId, string Skill, string Priority, string State, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, ErrorItem? Error);

public sealed record MemoryUsageItem(int Entries, long Bytes, int MaxEntries, long MaxBytes);

public sealed record TrustItem(string AgentId, double Trust, int? Rank, bool Computed, DateTimeOffset? ComputedAt);

public sealed record TrustRanking(IReadOnlyList<TrustItem> Items, int Total, long Version, DateTimeOffset? ComputedAt, string? NextCursor);

public sealed record TransitionItem(DateTimeOffset At, string From, string To, string Reason);

public sealed record BreakerItem(
    string Name, string State, DateTimeOffset? RetryAt, long Successes, long Failures, long Rejections,
    int WindowThroughput, double WindowFailureRatio, int ConsecutiveBreaks, IReadOnlyList<TransitionItem> Transitions);

public sealed record RateWindow(string Name, long Limit, long Used, long Remaining, long WindowSeconds, long ResetSeconds);

public sealed record RateLimitItem(string UserId, string Tier, IReadOnlyList<RateWindow> Windows);

public sealed record LimitedItem(string UserId, string Tier, long Rejections, DateTimeOffset LastRejectedAt);

/// <summary>GET /api/tasks/throughput.</summary>
public sealed record ThroughputItem(double FinishedPerSecond, double SucceededPerSecond, double WindowSeconds, int Silos);

public sealed record TopLimitedItem(DateTimeOffset From, IReadOnlyList<LimitedItem> Items);

public sealed record RunCount(string Mode, string Status, long Count);

public sealed record WorkflowStatisticsItem(IReadOnlyDictionary<string, long> WorkflowsByStatus, IReadOnlyList<RunCount> Runs, double? SuccessRate,
    double? RunDurationP50Seconds, double? RunDurationP95Seconds);

public sealed record WorkflowSummaryItem(string Id, string Name, string Goal, string Status, int Version, string CreatedBy, DateTimeOffset UpdatedAt);

public sealed record WorkflowIssueItem(string Code, string? Path, string Message);

public sealed record WorkflowItem(string Id, string Name, int Version, int LatestVersion, string Status, JsonObject Definition,
    IReadOnlyList<JsonObject>? Issues, string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt);

public sealed record RunSummaryItem(string RunId, string WorkflowId, int WorkflowVersion, string Mode, string Status, string StartedBy,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? ErrorCode);

public sealed record StepItem(string Id, string Status, string? TaskId, string? AgentId, int Attempts, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, double? DurationSeconds, JsonElement? Output, ErrorItem? Error, string? DecidedBy, string? Comment);

public sealed record RunItem(string RunId, string WorkflowId, int WorkflowVersion, string Mode, string Status, JsonElement? Input,
    JsonElement? Output, ErrorItem? Error, IReadOnlyList<StepItem> Steps, string StartedBy, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, double? DurationSeconds);

public sealed record HealthItem(string Status, IReadOnlyDictionary<string, HealthCheckItem>? Checks);

public sealed record HealthCheckItem(string Status, string? Description);

public sealed record SiloItem(string Address, string Name, string HostName, string Status, DateTimeOffset StartedAt, DateTimeOffset LastAliveAt, int SuspectedBy);

#pragma warning restore CA1812

#pragma warning disable CA1812 // Instantiated by System.Text.Json.

public sealed record NetworkNode(string Id, int Degree, double WeightedDegree, double Betweenness, string? Community, double? Trust);

public sealed record NetworkEdge(string From, string To, string Kind, double Weight, double Positive, double Negative);

public sealed record NetworkCommunity(string Id, IReadOnlyList<string> Members, bool New);

public sealed record CollusionSignal(IReadOnlyList<string> Members, double Density, double OutsideSatisfaction);

public sealed record NetworkSignals(double? TrustGini, IReadOnlyList<CollusionSignal>? Collusion);

public sealed record NetworkItem(IReadOnlyList<NetworkNode> Nodes, IReadOnlyList<NetworkEdge> Edges, IReadOnlyList<NetworkCommunity> Communities,
    NetworkSignals? Signals, int TotalNodes, int AnalysedNodes);

#pragma warning restore CA1812

#pragma warning disable CA1812 // Instantiated by System.Text.Json.

public sealed record TurnUsageItem(long InputTokens, long OutputTokens, long TotalTokens, int ModelCalls, int ToolCalls, decimal? CostUsd);

public sealed record TurnItem(string Id, string State, string Content, string? Reply, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, TurnUsageItem? Usage, ErrorItem? Error);

public sealed record ConversationItem(string Id, string AgentId, string Owner, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Turns,
    string? RunningTurn, int QueuedTurns);

public sealed record ConversationThread(ConversationItem Conversation, IReadOnlyList<TurnItem> Turns, string? NextCursor);

#pragma warning restore CA1812

#pragma warning disable CA1812 // Instantiated by System.Text.Json.

public sealed record ConvergenceItem(long Iteration, long Evaluations, double BestValue);

public sealed record OptimizationSummaryItem(string Id, string Objective, int Dimensions, string Status, long Iteration, double? BestValue,
    string SubmittedBy, DateTimeOffset CreatedAt);

public sealed record OptimizationItem(string Id, string Status, int Dimensions, int Iterations, long Iteration, long Evaluations, double? BestValue,
    IReadOnlyList<double>? BestPosition, IReadOnlyList<ConvergenceItem> History, ErrorItem? Error, DateTimeOffset CreatedAt);

#pragma warning restore CA1812
