using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Settings of users, sessions and API keys, section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    [Required, ValidateObjectMembers]
    public LockoutOptions Lockout { get; set; } = new();

    /// <summary>Absolute lifetime of a refresh-token family, from the login that started it.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Rotated refresh secrets a family remembers, to recognise a replayed (stolen) one.</summary>
    // Each of these lists lives inside one grain state that is rewritten on every change.
    [Range(1, 1000)]
    public int RotatedSecretsKept { get; set; } = 20;

    /// <summary>Live refresh-token families one user may hold; a new login beyond it revokes the oldest.</summary>
    [Range(1, 10_000)]
    public int MaxSessionsPerUser { get; set; } = 100;

    // Security:RevocationPollInterval is the API's (Client.Api's RevocationCacheOptions): only the API checks access tokens.

    /// <summary>
    /// PBKDF2 iterations of new password hashes (ASP.NET Core Identity's V3 format: HMAC-SHA512).
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA512 is 210,000; less is refused. Hashes made with fewer
    /// are upgraded at the user's next successful login.
    /// </summary>
    [Range(MinPasswordIterations, 10_000_000)]
    public int PasswordIterations { get; set; } = MinPasswordIterations;

    public const int MinPasswordIterations = 210_000;

    /// <summary>An API key's LastUsedAt is stored at most this often (every use still updates it in memory).</summary>
    [Range(typeof(TimeSpan), "00:00:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan ApiKeyUsageWriteInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Slowing password guessers down, per user name and client address (<see cref="ILoginThrottleGrain"/>).</summary>
public sealed class LockoutOptions
{
    /// <summary>Failed logins from one address for one name before attempts are delayed.</summary>
    [Range(1, 1000)]
    public int MaxFailures { get; set; } = 5;

    /// <summary>The longest delay between attempts (delays double from BaseDelay up to this).</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The delay after the MaxFailures-th failure; each further failure doubles it.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The bounds above (Lockout's through <c>[ValidateObjectMembers]</c>), generated from their data annotations;
/// <see cref="CrossFieldFailures"/> is added in <c>AddSecurityOptions</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    internal static IEnumerable<string> CrossFieldFailures(SecurityOptions o)
    {
        if (o.Lockout is not null && o.Lockout.BaseDelay > o.Lockout.Duration)
        {
            yield return $"{SecurityOptions.Section}:Lockout:BaseDelay must not exceed Lockout:Duration ({o.Lockout.BaseDelay} > {o.Lockout.Duration}).";
        }
    }
}
