using System.Text;

namespace OrleansAgents.Api.Security;

/// <summary>A signing key; <see cref="Id"/> goes into each token's <c>kid</c> header.</summary>
public sealed class SigningKeySettings
{
    public string Id { get; set; } = "";

    /// <summary>At least 32 bytes of UTF-8 text (or more): HMAC-SHA256 wants 256 bits.</summary>
    public string Key { get; set; } = "";
}

/// <summary>
/// Section <c>Security</c> as the API reads it. Outside Development the API refuses to start
/// without a signing key of at least 256 bits and a bootstrap admin password; in Development a
/// documented development key and admin are used so one command runs everything.
/// </summary>
public sealed class SecuritySettings
{
    public const string Section = "Security";
    public const string DevelopmentAdminPassword = "dev-admin-password";
    public const int MinKeyBytes = 32;

    public string Issuer { get; set; } = "orleans-agents";

    public string Audience { get; set; } = "orleans-agents-api";

    /// <summary>Tokens are signed with ActiveKeyId and validated with any of these (rotation by key id).</summary>
    public List<SigningKeySettings> SigningKeys { get; set; } = [];

    public string? ActiveKeyId { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public string BootstrapAdminUser { get; set; } = "admin";

    public string? BootstrapAdminPassword { get; set; }

    /// <summary>
    /// When true, an existing bootstrap admin is given back the admin role and the configured
    /// password and enabled again at start (the way back in after a lock-out); off by default.
    /// </summary>
    public bool BootstrapAdminRepair { get; set; }

    public SigningKeySettings ActiveKey => SigningKeys.Single(k => k.Id == (ActiveKeyId ?? SigningKeys[0].Id));

    public static SecuritySettings Read(IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = new SecuritySettings();
        configuration.GetSection(Section).Bind(settings);
        if (environment.IsDevelopment())
        {
            if (settings.SigningKeys.Count == 0)
            {
                // Development only: a fixed key, so tokens survive a restart of `dotnet run`.
                settings.SigningKeys.Add(new SigningKeySettings { Id = "dev", Key = "development-signing-key-not-for-production-use-0123456789" });
            }

            settings.BootstrapAdminPassword ??= DevelopmentAdminPassword;
        }

        var errors = new List<string>();
        if (settings.SigningKeys.Count == 0)
        {
            errors.Add("Security:SigningKeys is empty: set Security__SigningKeys__0__Id and Security__SigningKeys__0__Key (at least 32 bytes, from a Secret).");
        }

        foreach (var (key, i) in settings.SigningKeys.Select((k, i) => (k, i)))
        {
            if (string.IsNullOrWhiteSpace(key.Id))
            {
                errors.Add($"Security:SigningKeys:{i}:Id is empty.");
            }

            if (Encoding.UTF8.GetByteCount(key.Key) < MinKeyBytes)
            {
                errors.Add($"Security:SigningKeys:{i}:Key is weaker than {MinKeyBytes} bytes (256 bits).");
            }
        }

        if (settings.SigningKeys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != settings.SigningKeys.Count)
        {
            errors.Add("Security:SigningKeys has two keys with the same Id.");
        }

        if (settings.ActiveKeyId is not null && settings.SigningKeys.All(k => k.Id != settings.ActiveKeyId))
        {
            errors.Add($"Security:ActiveKeyId '{settings.ActiveKeyId}' is not one of Security:SigningKeys.");
        }

        if (string.IsNullOrEmpty(settings.BootstrapAdminPassword))
        {
            errors.Add("Security:BootstrapAdminPassword is not set (the first admin; from a Secret: Security__BootstrapAdminPassword).");
        }
        else if (settings.BootstrapAdminPassword.Length < SecurityRules.PasswordMinLength)
        {
            errors.Add($"Security:BootstrapAdminPassword is shorter than {SecurityRules.PasswordMinLength} characters.");
        }

        if (!SecurityRules.IsValidUserName(settings.BootstrapAdminUser))
        {
            errors.Add($"Security:BootstrapAdminUser must match {SecurityRules.UserNamePattern}.");
        }

        if (settings.AccessTokenLifetime <= TimeSpan.Zero || settings.AccessTokenLifetime > TimeSpan.FromHours(12))
        {
            errors.Add("Security:AccessTokenLifetime must be between 0 and 12 hours.");
        }

        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(SecuritySettings), errors);
        }

        return settings;
    }
}
