using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Skills.Http;

/// <summary>Section <c>Skills:Http</c>: where http.request may go and how much it may read.</summary>
public sealed class HttpSkillOptions
{
    public const string Section = "Skills:Http";

    /// <summary>URL prefixes (scheme, host, optional port, path ending in '/'); empty: nothing is allowed.</summary>
    public List<string> AllowedUrls { get; set; } = [];

    /// <summary>
    /// Addresses or CIDRs (<c>10.20.0.0/16</c>, <c>127.0.0.1</c>) http.request may connect to although
    /// they are internal (loopback, private, link-local, CGNAT, metadata), which are refused otherwise
    /// after DNS resolution. An IP literal host in <see cref="AllowedUrls"/> is allowed when a URL names it literally.
    /// </summary>
    public List<string> AllowedAddresses { get; set; } = [];

    [Range(typeof(long), "1", "9223372036854775807")]
    public long MaxResponseBytes { get; set; } = 1024 * 1024;

    public int DefaultTimeoutSeconds { get; set; } = 30;

    [Range(1, 3600)]
    public int MaxTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// Header values by name, for inputs to reference as <c>{"secret": "name"}</c>: the task stores
    /// the reference, the value is put in only when the request is sent (from a Secret in Kubernetes).
    /// </summary>
    public Dictionary<string, string> Secrets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether credential headers (Authorization, Cookie, X-Api-Key, anything naming a token, key,
    /// secret or password) may be given inline. Off: an inline value would be stored with the task
    /// and shown to whoever may read it, so it is refused and a secret reference asked for.
    /// </summary>
    public bool AllowInlineCredentials { get; set; }

    /// <summary>True when <paramref name="url"/> starts with one of the prefixes (host compared without case).</summary>
    public bool IsAllowed(Uri url) => AllowedUrls.Any(prefix =>
        Uri.TryCreate(prefix, UriKind.Absolute, out var allowed)
        && string.Equals(allowed.Scheme, url.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(allowed.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase)
        && allowed.Port == url.Port
        && url.AbsolutePath.StartsWith(allowed.AbsolutePath, StringComparison.Ordinal));
}

/// <summary>
/// The bounds above, generated from their data annotations; <see cref="ListFailures"/> (each allowed URL, address
/// and secret, and the default timeout within the maximum) is added in <c>AddBuiltInSkills</c>.
/// </summary>
[OptionsValidator]
public sealed partial class HttpSkillOptionsValidator : IValidateOptions<HttpSkillOptions>
{
    internal static IEnumerable<string> ListFailures(HttpSkillOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedUrls.Count; i++)
        {
            var prefix = options.AllowedUrls[i];
            if (!Uri.TryCreate(prefix, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{HttpSkillOptions.Section}:AllowedUrls:{i} '{prefix}' is not an absolute http or https URL.");
            }
            else if (!prefix.EndsWith('/') || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                errors.Add($"{HttpSkillOptions.Section}:AllowedUrls:{i} '{prefix}' must end with '/' and have no query, fragment or credentials (e.g. https://api.example.com/).");
            }
        }

        for (var i = 0; i < options.AllowedAddresses.Count; i++)
        {
            if (!AddressGuard.TryParseNetwork(options.AllowedAddresses[i], out _))
            {
                errors.Add($"{HttpSkillOptions.Section}:AllowedAddresses:{i} '{options.AllowedAddresses[i]}' is not an IP address or a CIDR (e.g. 10.20.0.0/16).");
            }
        }

        foreach (var (secret, value) in options.Secrets)
        {
            if (!HttpRequestInput.IsValidSecretName(secret) || string.IsNullOrEmpty(value) || value.Any(char.IsControl))
            {
                // The value itself is never echoed.
                errors.Add($"{HttpSkillOptions.Section}:Secrets:{secret} needs a name matching {HttpRequestInput.SecretNamePattern} and a non-empty value without control characters.");
            }
        }

        if (options.DefaultTimeoutSeconds < 1 || options.DefaultTimeoutSeconds > options.MaxTimeoutSeconds)
        {
            errors.Add($"{HttpSkillOptions.Section}:DefaultTimeoutSeconds must be between 1 and MaxTimeoutSeconds (was {options.DefaultTimeoutSeconds}).");
        }

        return errors;
    }
}
