namespace OrleansAgents.Errors;

/// <summary>
/// The one catalogue of error codes a client can see. Codes are part of the public API:
/// never rename one, only add.
/// </summary>
public static partial class ErrorCodes
{
    public const string ValidationFailed = "request.invalid";
    public const string BodyNotJson = "request.body_not_json";
    public const string BodyMissing = "request.body_missing";
    public const string UnknownField = "request.unknown_field";
    public const string WrongType = "request.wrong_type";
    public const string BodyTooLarge = "request.body_too_large";
    public const string UnsupportedMediaType = "request.unsupported_media_type";
    public const string InvalidQuery = "request.invalid_query";
    public const string NotFound = "route.not_found";
    public const string MethodNotAllowed = "route.method_not_allowed";
    public const string Internal = "server.error";
    public const string Unavailable = "server.unavailable";

    public const string AgentInvalidId = "agent.invalid_id";
    public const string AgentExists = "agent.exists";
    public const string AgentNotFound = "agent.not_found";
    public const string AgentRetired = "agent.retired";
    public const string AgentInvalidName = "agent.invalid_name";
    public const string AgentInvalidDescription = "agent.invalid_description";
    public const string AgentInvalidCapability = "agent.invalid_capability";
    public const string AgentTooManyCapabilities = "agent.too_many_capabilities";
    public const string AgentInvalidMaxConcurrentTasks = "agent.invalid_max_concurrent_tasks";
    public const string AgentInvalidMetadata = "agent.invalid_metadata";
    public const string AgentInvalidActiveTasks = "agent.invalid_active_tasks";
    public const string AgentInvalidKind = "agent.invalid_kind";
    public const string RateLimitExceeded = "rate_limit.exceeded";
    public const string RateLimitInvalidUser = "rate_limit.invalid_user";
    public const string RateLimitUnknownTier = "rate_limit.unknown_tier";
    public const string RateLimitInvalidCost = "rate_limit.invalid_cost";
    public const string RateLimitInvalidTokens = "rate_limit.invalid_tokens";

    /// <summary>The caller holds Streams:MaxConcurrentPerUser event streams already (429).</summary>
    public const string StreamLimitExceeded = "stream.too_many";
    public const string BreakerInvalidName = "breaker.invalid_name";
    public const string BreakerNotFound = "breaker.not_found";
    public const string BreakerInvalidReason = "breaker.invalid_reason";
    public const string InvalidCursor = "request.invalid_cursor";
    public const string InvalidLimit = "request.invalid_limit";
    public const string InvalidStatus = "request.invalid_status";

    public const string TaskInvalidId = "task.invalid_id";
    public const string TaskNotFound = "task.not_found";
    public const string TaskUnknownSkill = "task.unknown_skill";
    public const string TaskSkillNotAllowed = "task.skill_not_allowed";
    public const string TaskInvalidInput = "task.invalid_input";
    public const string TaskInputTooLarge = "task.input_too_large";
    public const string TaskInvalidTimeout = "task.invalid_timeout";
    public const string TaskInvalidMaxAttempts = "task.invalid_max_attempts";
    public const string TaskInvalidPriority = "task.invalid_priority";
    public const string TaskInvalidTarget = "task.invalid_target";
    public const string TaskInvalidIdempotencyKey = "task.invalid_idempotency_key";
    public const string TaskIdempotencyConflict = "task.idempotency_conflict";
    public const string TaskQueueFull = "task.queue_full";
    public const string TaskNoAgentAvailable = "task.no_agent_available";
    public const string TaskNotRequeueable = "task.not_requeueable";
    public const string TaskInvalidState = "task.invalid_state";

    public const string JobNotFound = "job.not_found";

    public const string MemoryInvalidKey = "memory.invalid_key";
    public const string MemoryNotFound = "memory.not_found";
    public const string MemoryInvalidValue = "memory.invalid_value";
    public const string MemoryMissingValue = "memory.missing_value";
    public const string MemoryInvalidTag = "memory.invalid_tag";
    public const string MemoryInvalidTtl = "memory.invalid_ttl";
    public const string MemoryEntryTooLarge = "memory.entry_too_large";
    public const string MemoryQuotaEntries = "memory.quota_entries";
    public const string MemoryQuotaBytes = "memory.quota_bytes";

    public const string AuthRequired = "auth.required";
    public const string AuthInvalidToken = "auth.invalid_token";
    public const string AuthForbidden = "auth.forbidden";
    public const string AuthInvalidCredentials = "auth.invalid_credentials";
    public const string AuthLockedOut = "auth.locked_out";
    public const string AuthInvalidRefreshToken = "auth.invalid_refresh_token";
    public const string AuthRefreshReused = "auth.refresh_token_reused";
    public const string UserInvalidName = "user.invalid_name";
    public const string UserExists = "user.exists";
    public const string UserNotFound = "user.not_found";
    public const string UserWeakPassword = "user.weak_password";
    public const string UserInvalidRole = "user.invalid_role";
    public const string UserInvalidTier = "user.invalid_tier";
    public const string ApiKeyNotFound = "apikey.not_found";
    public const string ApiKeyInvalid = "apikey.invalid";
    public const string ApiKeyExists = "apikey.exists";
    public const string ApiKeyInvalidId = "apikey.invalid_id";
    public const string ApiKeyInvalidName = "apikey.invalid_name";
    public const string ApiKeyInvalidRole = "apikey.invalid_role";
    public const string ApiKeyInvalidExpiry = "apikey.invalid_expiry";
    public const string ApiKeyInvalidAgents = "apikey.invalid_agents";
    public const string AuthAgentOutOfScope = "auth.agent_out_of_scope";
    public const string UserInvalidDisplayName = "user.invalid_display_name";
    public const string TokenInvalidId = "token.invalid_id";
    public const string AuditInvalidQuery = "audit.invalid_query";
}
