using System.Globalization;
using System.Text.Json;

namespace OrleansAgents.Grains.Skills.Http;

/// <summary>The input of http.request, checked: <c>{ method, url, headers?, body?, timeoutSeconds? }</c>.</summary>
public sealed record class HttpRequestInput(HttpMethod Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, JsonElement? Body, TimeSpan Timeout)
{
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

    /// <summary>Headers the handler owns; setting them from input would confuse or smuggle.</summary>
    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "Expect", "TE", "Trailer", "Keep-Alive", "Proxy-Authorization",
    };

    /// <summary>The breaker of the target: <c>http:{host}</c>, with the port when it is not the scheme's default.</summary>
    public string HostLabel => (Url.IsDefaultPort ? Url.IdnHost : $"{Url.IdnHost}:{Url.Port.ToString(CultureInfo.InvariantCulture)}").ToLowerInvariant();

    public static (HttpRequestInput? Input, List<string> Errors) Parse(JsonElement input, HttpSkillOptions options)
    {
        var errors = new List<string>();
        if (input.ValueKind != JsonValueKind.Object)
        {
            return (null, ["input must be an object { method, url, headers?, body?, timeoutSeconds? }."]);
        }

        foreach (var property in input.EnumerateObject().Where(p => p.Name is not ("method" or "url" or "headers" or "body" or "timeoutSeconds")))
        {
            errors.Add($"unknown field '{property.Name}'.");
        }

        var method = input.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : null;
        if (method is null || !Methods.Contains(method))
        {
            errors.Add($"method must be one of {string.Join(", ", Methods)}.");
        }

        Uri? url = null;
        if (!input.TryGetProperty("url", out var u) || u.ValueKind != JsonValueKind.String || !Uri.TryCreate(u.GetString(), UriKind.Absolute, out url))
        {
            errors.Add("url must be an absolute URL.");
        }
        else if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"url scheme '{url.Scheme}' is not allowed: only http and https.");
        }
        else if (url.UserInfo.Length > 0)
        {
            errors.Add("url must not carry credentials (user:password@); send them in a header.");
        }
        else if (HasEncodedDotOrSlash(u.GetString()!))
        {
            // %2e / %2f pass the prefix check as text, and the target may decode them into ../ (path traversal).
            errors.Add("url path must not hold percent-encoded '/' or '.' (%2f, %2e).");
        }
        else if (!options.IsAllowed(url))
        {
            errors.Add($"url '{url.GetLeftPart(UriPartial.Path)}' is not allowed: it matches no prefix in {HttpSkillOptions.Section}:AllowedUrls.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (input.TryGetProperty("headers", out var h))
        {
            if (h.ValueKind != JsonValueKind.Object)
            {
                errors.Add("headers must be an object of strings.");
            }
            else
            {
                foreach (var header in h.EnumerateObject())
                {
                    if (header.Name.Length == 0 || header.Name.Any(c => c <= ' ' || c >= 127 || c == ':'))
                    {
                        errors.Add($"header '{header.Name}' must have a valid name and a string value.");
                    }
                    else if (ForbiddenHeaders.Contains(header.Name))
                    {
                        errors.Add($"header '{header.Name}' is set by the client and cannot be given.");
                    }
                    else if (HeaderValue(header, options, errors) is { } value)
                    {
                        headers.Add(new(header.Name, value));
                    }
                }
            }
        }

        var timeout = TimeSpan.FromSeconds(options.DefaultTimeoutSeconds);
        if (input.TryGetProperty("timeoutSeconds", out var t))
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out var seconds) || seconds <= 0 || seconds > options.MaxTimeoutSeconds)
            {
                errors.Add($"timeoutSeconds must be a number above 0 and at most {options.MaxTimeoutSeconds}.");
            }
            else
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }

        JsonElement? body = input.TryGetProperty("body", out var b) && b.ValueKind != JsonValueKind.Null ? b : null;
        return errors.Count > 0 ? (null, errors) : (new HttpRequestInput(new HttpMethod(method!), url!, headers, body, timeout), errors);
    }

    /// <summary>%2f or %2e (any case) in the path part of the URL as written.</summary>
    public static bool HasEncodedDotOrSlash(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var pathStart = start < 0 ? 0 : url.IndexOf('/', start + 3);
        if (pathStart < 0)
        {
            return false;
        }

        var end = url.IndexOfAny(['?', '#'], pathStart);
        var path = end < 0 ? url[pathStart..] : url[pathStart..end];
        return path.Contains("%2f", StringComparison.OrdinalIgnoreCase) || path.Contains("%2e", StringComparison.OrdinalIgnoreCase);
    }

    public const string SecretNamePattern = "^[A-Za-z0-9_.-]{1,64}$";

    public static bool IsValidSecretName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>Header names that carry credentials by convention; their values belong in Skills:Http:Secrets.</summary>
    public static bool IsCredentialHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || CredentialWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] CredentialWords = ["token", "secret", "password", "apikey", "api-key", "api_key", "auth", "session"];

    /// <summary>A string, or <c>{"secret": "name"}</c> resolved from the configured secrets; null with an error otherwise.</summary>
    private static string? HeaderValue(JsonProperty header, HttpSkillOptions options, List<string> errors)
    {
        if (header.Value.ValueKind == JsonValueKind.String)
        {
            if (IsCredentialHeader(header.Name) && !options.AllowInlineCredentials)
            {
                errors.Add($"header '{header.Name}' carries a credential: give it as {{\"secret\": \"name\"}} naming {HttpSkillOptions.Section}:Secrets:{{name}}, so it is never stored with the task.");
                return null;
            }

            return header.Value.GetString();
        }

        if (header.Value.ValueKind == JsonValueKind.Object && header.Value.EnumerateObject().Count() == 1
            && header.Value.TryGetProperty("secret", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            var name = reference.GetString();
            if (IsValidSecretName(name) && options.Secrets.TryGetValue(name, out var value))
            {
                return value;
            }

            errors.Add($"header '{header.Name}' names the secret '{name}', which is not configured ({HttpSkillOptions.Section}:Secrets).");
            return null;
        }

        errors.Add($"header '{header.Name}' must be a string or {{\"secret\": \"name\"}}.");
        return null;
    }
}
