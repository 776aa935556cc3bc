using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>One OpenAI-compatible endpoint (OpenAI, Ollama, vLLM...).</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The API base, up to and including <c>/v1</c> (e.g. <c>http://127.0.0.1:11434/v1</c>).</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The model used when a request names none.</summary>
    [Required]
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
    [Range(1, int.MaxValue)]
    public int RequestsPerMinute { get; set; } = 30;

    [Range(1, 3600)]
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

/// <summary>
/// A provider's bounds, generated from their data annotations. The generator does not enumerate a dictionary, so
/// <see cref="LlmOptionsValidator.ProviderFailures"/> runs this for each provider.
/// </summary>
[OptionsValidator]
internal sealed partial class LlmProviderOptionsValidator : IValidateOptions<LlmProviderOptions>;

/// <summary>The rules of <c>Skills:Llm</c>, added in <c>AddBuiltInSkills</c>: each provider's name, endpoint and bounds, and the default provider.</summary>
internal static class LlmOptionsValidator
{
    private static readonly LlmProviderOptionsValidator Provider = new();

    internal static IEnumerable<string> ProviderFailures(LlmOptions options)
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

            errors.AddRange(Provider.FailuresOf(prefix, p));
        }

        if (!string.IsNullOrEmpty(options.DefaultProvider) && !options.Providers.ContainsKey(options.DefaultProvider))
        {
            errors.Add($"{LlmOptions.Section}:DefaultProvider '{options.DefaultProvider}' is not defined under {LlmOptions.Section}:Providers ({string.Join(", ", options.Providers.Keys)}).");
        }

        return errors;
    }
}
