namespace OrleansAgents.Security;

/// <summary>What an admin sends to create or replace a user (password only when setting one).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.UserSpec")]
public sealed record class UserSpec(
    [property: Id(0)] string? Password,
    [property: Id(1)] IReadOnlyList<string> Roles,
    [property: Id(2)] string? Tier,
    [property: Id(3)] bool Disabled,
    [property: Id(4)] string? DisplayName);

/// <summary>A user as the API shows it: never the password hash.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.UserView")]
public sealed record class UserView(
    [property: Id(0)] string Name,
    [property: Id(1)] string? DisplayName,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string? Tier,
    [property: Id(4)] bool Disabled,
    [property: Id(5)] int FailedLogins,
    [property: Id(6)] DateTimeOffset? LockedUntil,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] DateTimeOffset? LastLoginAt,
    [property: Id(10)] long Version)
{
    /// <summary>Goes into access tokens; see <see cref="SecurityRules.StampTokenId"/>.</summary>
    [Id(11)]
    public long SecurityStamp { get; init; }
}

[GenerateSerializer, Alias("OrleansAgents.LoginOutcome")]
public enum LoginOutcome
{
    Succeeded = 0,
    InvalidCredentials = 1,
    LockedOut = 2,
    Disabled = 3,
}

/// <summary>
/// The answer to a password check. On success <see cref="User"/> is set; on lockout
/// <see cref="LockedUntil"/> says until when. An unknown user answers InvalidCredentials, like a
/// wrong password, so user names cannot be probed.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.LoginResult")]
public sealed record class LoginResult(
    [property: Id(0)] LoginOutcome Outcome,
    [property: Id(1)] UserView? User,
    [property: Id(2)] DateTimeOffset? LockedUntil);

/// <summary>A refresh token was presented: who it belongs to, or why it was refused.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RefreshResult")]
public sealed record class RefreshResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? UserName,
    [property: Id(2)] string? NewRefreshToken,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] string? Problem,
    [property: Id(5)] bool FamilyRevoked);

/// <summary>A revoked access token id, denied until the token would have expired anyway.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RevokedToken")]
public sealed record class RevokedToken(
    [property: Id(0)] string Jti,
    [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>Revocations after a version, for caches that poll: entries plus the version to ask from next.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.RevocationPage")]
public sealed record class RevocationPage(
    [property: Id(0)] IReadOnlyList<RevokedToken> Entries,
    [property: Id(1)] long Version);

[GenerateSerializer, Immutable, Alias("OrleansAgents.ApiKeySpec")]
public sealed record class ApiKeySpec(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Roles,
    [property: Id(2)] string CreatedBy,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] string? Tier = null,
    [property: Id(5)] IReadOnlyList<string>? Agents = null);

[GenerateSerializer, Immutable, Alias("OrleansAgents.ApiKeyView")]
public sealed record class ApiKeyView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Roles,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt,
    [property: Id(6)] DateTimeOffset? RevokedAt,
    [property: Id(7)] DateTimeOffset? LastUsedAt,
    [property: Id(8)] string? Tier = null,
    [property: Id(9)] IReadOnlyList<string>? Agents = null);

/// <summary>A created key: the secret is in <see cref="Key"/> and is never shown again.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.ApiKeyCreated")]
public sealed record class ApiKeyCreated(
    [property: Id(0)] ApiKeyView View,
    [property: Id(1)] string Key);

/// <summary>One row of the audit log.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.AuditEntry")]
public sealed record class AuditEntry(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Actor,
    [property: Id(3)] string Action,
    [property: Id(4)] string? Target,
    [property: Id(5)] string Outcome,
    [property: Id(6)] string? Source,
    [property: Id(7)] string? Detail);

/// <summary>The audited actions (the <c>action</c> column).</summary>
public static class AuditActions
{
    public const string Login = "auth.login";
    public const string LoginFailed = "auth.login_failed";
    public const string Logout = "auth.logout";
    public const string TokenRevoked = "auth.token_revoked";
    public const string RefreshReuse = "auth.refresh_reuse";
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDeleted = "user.deleted";
    public const string ApiKeyCreated = "apikey.created";
    public const string ApiKeyRevoked = "apikey.revoked";
    public const string SessionsRevoked = "user.sessions_revoked";
    public const string BreakerIsolated = "breaker.isolated";
    public const string BreakerClosed = "breaker.closed";
    public const string BreakerResetAll = "breaker.reset_all";
    public const string RateLimitReset = "ratelimit.reset";
    public const string RateLimitTier = "ratelimit.tier_changed";
    public const string WorkflowActivated = "workflow.activated";
    public const string WorkflowStaged = "workflow.staged";
    public const string WorkflowArchived = "workflow.archived";
    public const string WorkflowDeleted = "workflow.deleted";
    public const string WorkflowRunCancelled = "workflow.run_cancelled";
    public const string WorkflowStepApproved = "workflow.step_approved";
    public const string WorkflowStepRejected = "workflow.step_rejected";
}
