using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>One OpenAI-compatible endpoint (OpenAI, Ollama, vLLM...).</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The API base, up to and including <c>/v1</c> (e.g. <c>http://127.0.0.1:11434/v1</c>).</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The model used when a request names none.</summary>
    public string Model { get; set; } = "";

    /// <summary>
    /// Further models requests may name that get their own metric label; any other model a caller
    /// names is counted as <c>other</c>, so callers cannot mint label values (issue 17).
    /// </summary>
    public List<string> Models { get; set; } = [];

    /// <summary>The <c>model</c> label: the model when configured here, else <c>other</c>.</summary>
    public string MetricLabel(string model) =>
        model == Model || Models.Contains(model, StringComparer.Ordinal) ? model : "other";

    /// <summary>A secret: never logged or returned. Empty for endpoints without authentication.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Cluster-wide budget of this provider.</summary>
    public int RequestsPerMinute { get; set; } = 30;

    public int TimeoutSeconds { get; set; } = 120;
}

/// <summary>Section <c>Skills:Llm</c>.</summary>
public sealed partial class LlmOptions
{
    public const string Section = "Skills:Llm";

    /// <summary>Used when a request names no provider; may be empty when exactly one provider is configured.</summary>
    public string? DefaultProvider { get; set; }

    public Dictionary<string, LlmProviderOptions> Providers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The provider a request means: its own, else the default, else the only one.</summary>
    public string? Resolve(string? requested) =>
        requested ?? (string.IsNullOrEmpty(DefaultProvider) ? (Providers.Count == 1 ? Providers.Keys.First() : null) : DefaultProvider);

    internal static bool IsValidName(string name) => NameRegex().IsMatch(name);

    // Provider names become breaker names (llm:{provider}) and metric labels.
    [GeneratedRegex("^[a-z0-9][a-z0-9-_.]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}

public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = new List<string>();
        foreach (var (provider, p) in options.Providers)
        {
            var prefix = $"{LlmOptions.Section}:Providers:{provider}";
            if (!LlmOptions.IsValidName(provider))
            {
                errors.Add($"{prefix}: the provider name must match ^[a-z0-9][a-z0-9-_.]{{0,63}}$ (it becomes the breaker llm:{{provider}}).");
            }

            if (!Uri.TryCreate(p.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{prefix}:Endpoint must be an absolute http(s) URL such as http://127.0.0.1:11434/v1 (was '{p.Endpoint}').");
            }

            if (string.IsNullOrWhiteSpace(p.Model))
            {
                errors.Add($"{prefix}:Model is required.");
            }

            if (p.RequestsPerMinute < 1)
            {
                errors.Add($"{prefix}:RequestsPerMinute must be at least 1 (was {p.RequestsPerMinute}).");
            }

            if (p.TimeoutSeconds is < 1 or > 3600)
            {
                errors.Add($"{prefix}:TimeoutSeconds must be between 1 and 3600 (was {p.TimeoutSeconds}).");
            }
        }

        if (!string.IsNullOrEmpty(options.DefaultProvider) && !options.Providers.ContainsKey(options.DefaultProvider))
        {
            errors.Add($"{LlmOptions.Section}:DefaultProvider '{options.DefaultProvider}' is not defined under {LlmOptions.Section}:Providers ({string.Join(", ", options.Providers.Keys)}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
