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

    /// <summary>An API key's LastUsedAt is stored at most this often (every use still updates it in memory).</summary>
    public TimeSpan ApiKeyUsageWriteInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class LockoutOptions
{
    /// <summary>Consecutive wrong passwords that lock the user.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>How long a lock lasts; the failure count starts again afterwards.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
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
        }

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
