namespace OrleansAgents.Api.Security;

/// <summary>
/// What the API's <see cref="RevocationCache"/> reads: a key of section <c>Security</c>, whose other keys (lockout,
/// sessions, password hashing) the grains read. Only the API checks access tokens, so only the API owns this one;
/// it does not reach into the grains' options to read it.
/// </summary>
public sealed class RevocationCacheOptions
{
    public const string Section = "Security";

    /// <summary>How often each API process's revocation cache asks the cluster for new revocations.</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
