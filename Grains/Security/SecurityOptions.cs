using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Security;

/// <summary>Settings of users, sessions and API keys, section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public LockoutOptions Lockout { get; set; } = new();

    /// <summary>Absolute lifetime of a refresh-token family, from the login that started it.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Rotated refresh secrets a family remembers, to recognise a replayed (stolen) one.</summary>
    public int RotatedSecretsKept { get; set; } = 20;

    /// <summary>Live refresh-token families one user may hold; a new login beyond it revokes the oldest.</summary>
    public int MaxSessionsPerUser { get; set; } = 100;

    /// <summary>How often each process's revocation cache asks the cluster for new revocations.</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PBKDF2 iterations of new password hashes (ASP.NET Core Identity's V3 format: HMAC-SHA512).
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA512 is 210,000; less is refused. Hashes made with fewer
    /// are upgraded at the user's next successful login.
    /// </summary>
    public int PasswordIterations { get; set; } = MinPasswordIterations;

    public const int MinPasswordIterations = 210_000;

    /// <summary>An API key's LastUsedAt is stored at most this often (every use still updates it in memory).</summary>
    public TimeSpan ApiKeyUsageWriteInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Slowing password guessers down, per user name and client address (<see cref="ILoginThrottleGrain"/>).</summary>
public sealed class LockoutOptions
{
    /// <summary>Failed logins from one address for one name before attempts are delayed.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>The longest delay between attempts (delays double from BaseDelay up to this).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The delay after the MaxFailures-th failure; each further failure doubles it.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    // Each of these lists lives inside one grain state that is rewritten on every change.
    private const int RotatedSecretsCeiling = 1000;
    private const int SessionsCeiling = 10_000;

    public ValidateOptionsResult Validate(string? name, SecurityOptions o)
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{SecurityOptions.Section}:{key} must be positive (was {value}).");
            }
        }

        void Between(int value, int min, int max, string key)
        {
            if (value < min || value > max)
            {
                errors.Add($"{SecurityOptions.Section}:{key} must be between {min} and {max} (was {value}).");
            }
        }

        if (o.Lockout is null)
        {
            errors.Add($"{SecurityOptions.Section}:Lockout is required.");
        }
        else
        {
            Between(o.Lockout.MaxFailures, 1, 1000, "Lockout:MaxFailures");
            Positive(o.Lockout.Duration, "Lockout:Duration");
            Positive(o.Lockout.BaseDelay, "Lockout:BaseDelay");
            if (o.Lockout.BaseDelay > o.Lockout.Duration)
            {
                errors.Add($"{SecurityOptions.Section}:Lockout:BaseDelay must not exceed Lockout:Duration.");
            }
        }

        Between(o.PasswordIterations, SecurityOptions.MinPasswordIterations, 10_000_000, nameof(o.PasswordIterations));
        Positive(o.RefreshTokenLifetime, nameof(o.RefreshTokenLifetime));
        Between(o.RotatedSecretsKept, 1, RotatedSecretsCeiling, nameof(o.RotatedSecretsKept));
        Between(o.MaxSessionsPerUser, 1, SessionsCeiling, nameof(o.MaxSessionsPerUser));
        Positive(o.RevocationPollInterval, nameof(o.RevocationPollInterval));
        if (o.ApiKeyUsageWriteInterval < TimeSpan.Zero)
        {
            errors.Add($"{SecurityOptions.Section}:ApiKeyUsageWriteInterval must not be negative (was {o.ApiKeyUsageWriteInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
