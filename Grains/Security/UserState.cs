namespace OrleansAgents.Grains.Security;

/// <summary>
/// Stored with the Orleans binary serializer: field ids and the alias are the format, so never
/// renumber an [Id] or change the alias; add fields with new ids.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.UserState.v1")]
public sealed class UserState
{
    [Id(0)] public bool Exists { get; set; }

    /// <summary>ASP.NET Core Identity's PasswordHasher format (PBKDF2, salted, versioned); never the password.</summary>
    [Id(1)] public string PasswordHash { get; set; } = "";
    [Id(2)] public string? DisplayName { get; set; }
    [Id(3)] public List<string> Roles { get; set; } = [];
    [Id(4)] public string? Tier { get; set; }
    [Id(5)] public bool Disabled { get; set; }
    [Id(6)] public int FailedLogins { get; set; }
    [Id(7)] public DateTimeOffset? LockedUntil { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(10)] public DateTimeOffset? LastLoginAt { get; set; }

    /// <summary>Bumped by admin changes (create, update, bootstrap), not by logins.</summary>
    [Id(11)] public long Version { get; set; }

    /// <summary>Whether the user directory has heard of this user (it is told after the first write).</summary>
    [Id(12)] public bool Listed { get; set; }

    /// <summary>Refresh-token families started for the user, with their expiry (expired ones are pruned).</summary>
    [Id(13)] public Dictionary<string, DateTimeOffset> RefreshFamilies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Carried by access tokens (claim <c>sst</c>); a password change, disable, role removal or
    /// session revocation moves it on and denies every token with the old value.
    /// </summary>
    [Id(14)] public long SecurityStamp { get; set; }
}
