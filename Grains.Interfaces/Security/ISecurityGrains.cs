namespace OrleansAgents.Security;

/// <summary>One user (key: user name, see <c>SecurityRules.UserNamePattern</c>).</summary>
[Alias("OrleansAgents.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the user; 409 <c>user.exists</c> if it exists. A password is required.</summary>
    [Alias("Create")]
    Task<UserView> CreateAsync(UserSpec spec);

    [Alias("Get")]
    ValueTask<UserView?> GetAsync();

    /// <summary>Replaces roles, tier, disabled flag and display name; sets the password when given.</summary>
    [Alias("Update")]
    Task<UserView> UpdateAsync(UserSpec spec);

    /// <summary>Deletes the user and revokes its refresh tokens; false when there was none.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync();

    /// <summary>
    /// Checks a password, counting failures (shown as FailedLogins). It locks nothing: slowing
    /// guessers down is <see cref="ILoginThrottleGrain"/>'s job, per name and client address.
    /// </summary>
    [Alias("VerifyPassword")]
    Task<LoginResult> VerifyPasswordAsync(string password);

    /// <summary>
    /// Creates the bootstrap admin when it does not exist. With <paramref name="repair"/> an existing
    /// one also gets the admin role, this password, and is enabled again (Security:BootstrapAdminRepair);
    /// without, an existing user is left alone.
    /// </summary>
    [Alias("EnsureBootstrapAdmin.v2")]
    Task<UserView> EnsureBootstrapAdminAsync(string password, bool repair);

    /// <summary>
    /// Records a refresh-token family started for this user, so deleting the user (or
    /// <see cref="RevokeSessionsAsync"/>) can revoke it; 404 <c>user.not_found</c> when there is no user.
    /// </summary>
    [Alias("AddRefreshFamily")]
    Task AddRefreshFamilyAsync(string familyId, DateTimeOffset expiresAt);

    /// <summary>Revokes every refresh-token family of the user ("log out everywhere"); returns how many.</summary>
    [Alias("RevokeSessions")]
    Task<int> RevokeSessionsAsync();
}

/// <summary>
/// Failed logins of one user name from one client address (key: <c>{user}/{address}</c>), known
/// and unknown names alike. After <c>Security:Lockout:MaxFailures</c> failures each further one
/// doubles the wait before the next attempt is considered (from <c>Lockout:BaseDelay</c> up to
/// <c>Lockout:Duration</c>): a guesser slows down, while the user at another address is not
/// locked out by a stranger. Held in memory only, so probing names creates no stored rows.
/// </summary>
[Alias("OrleansAgents.ILoginThrottleGrain")]
public interface ILoginThrottleGrain : IGrainWithStringKey
{
    /// <summary>How long until an attempt is considered; zero when one may be made now.</summary>
    [Alias("Wait")]
    ValueTask<TimeSpan> WaitAsync();

    /// <summary>Counts a failure; returns the wait it imposes.</summary>
    [Alias("Failed")]
    ValueTask<TimeSpan> FailedAsync();

    [Alias("Succeeded")]
    ValueTask SucceededAsync();
}

/// <summary>The list of user names (key: 0), for GET /api/users.</summary>
[Alias("OrleansAgents.IUserDirectoryGrain")]
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string userName);

    [Alias("Remove")]
    Task RemoveAsync(string userName);

    /// <summary>Names strictly after <paramref name="after"/>, ordinal order.</summary>
    [Alias("List")]
    ValueTask<IReadOnlyList<string>> ListAsync(string? after, int limit);
}

/// <summary>
/// One refresh-token family (key: family id), born at a login. Each refresh rotates the token;
/// presenting an already-rotated token is reuse (a stolen copy) and revokes the whole family.
/// </summary>
[Alias("OrleansAgents.IRefreshTokenFamilyGrain")]
public interface IRefreshTokenFamilyGrain : IGrainWithStringKey
{
    /// <summary>Starts the family for a user and returns its first refresh token.</summary>
    [Alias("Start")]
    Task<RefreshResult> StartAsync(string userName);

    /// <summary>Exchanges a refresh token for the next one (rotation with reuse detection).</summary>
    [Alias("Rotate")]
    Task<RefreshResult> RotateAsync(string refreshToken);

    [Alias("Revoke")]
    Task RevokeAsync();
}

/// <summary>
/// The cluster's deny list of access-token ids (key: 0). Entries expire with the tokens. API
/// processes keep a copy and poll <see cref="GetSinceAsync"/>, so a revocation takes effect
/// everywhere within the poll interval.
/// </summary>
[Alias("OrleansAgents.ITokenRevocationGrain")]
public interface ITokenRevocationGrain : IGrainWithIntegerKey
{
    [Alias("Revoke")]
    Task RevokeAsync(RevokedToken token);

    [Alias("GetSince")]
    ValueTask<RevocationPage> GetSinceAsync(long version);
}

/// <summary>One API key for a machine client (key: key id). Only a hash of the secret is stored.</summary>
[Alias("OrleansAgents.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<ApiKeyCreated> CreateAsync(ApiKeySpec spec);

    [Alias("Get")]
    ValueTask<ApiKeyView?> GetAsync();

    /// <summary>The key's view when the secret matches and the key is neither revoked nor expired; else null.</summary>
    [Alias("Verify")]
    Task<ApiKeyView?> VerifyAsync(string secret);

    [Alias("Revoke")]
    Task<ApiKeyView> RevokeAsync();
}

/// <summary>The list of API key ids (key: 0), for GET /api/api-keys.</summary>
[Alias("OrleansAgents.IApiKeyDirectoryGrain")]
public interface IApiKeyDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string keyId);

    [Alias("List")]
    ValueTask<IReadOnlyList<string>> ListAsync(string? after, int limit);
}

/// <summary>
/// Writes and reads the audit log (stateless; any key 0). Silos keep the log in PostgreSQL
/// (an append-only table); the embedded mode keeps it in memory.
/// </summary>
[Alias("OrleansAgents.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithIntegerKey
{
    /// <summary>Appends one entry; <see cref="AuditEntry.Id"/> and <see cref="AuditEntry.At"/> are assigned by the store.</summary>
    [Alias("Append")]
    Task AppendAsync(AuditEntry entry);

    /// <summary>Entries matching the query, newest first.</summary>
    [Alias("Query")]
    Task<AuditPage> QueryAsync(AuditQuery query);
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.AuditQuery")]
public sealed record class AuditQuery(
    [property: Id(0)] string? Actor,
    [property: Id(1)] string? Action,
    [property: Id(2)] DateTimeOffset? From,
    [property: Id(3)] DateTimeOffset? To,
    [property: Id(4)] int Limit,
    [property: Id(5)] long? BeforeId);

[GenerateSerializer, Immutable, Alias("OrleansAgents.AuditPage")]
public sealed record class AuditPage(
    [property: Id(0)] IReadOnlyList<AuditEntry> Items,
    [property: Id(1)] long? NextBeforeId);
