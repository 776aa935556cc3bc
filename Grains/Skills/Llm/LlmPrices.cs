using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>USD per million tokens of one provider's model (<c>*</c>: every model of the provider).</summary>
public sealed class LlmPrice
{
    public string Provider { get; set; } = "";

    public string Model { get; set; } = "*";

    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}

/// <summary>
/// The price table, <c>Skills:Llm:Prices</c>: a list (model names may hold ':' like
/// <c>llama3.1:8b</c>, which configuration keys cannot). A model without a price has no cost.
/// </summary>
public sealed class LlmPriceOptions
{
    public List<LlmPrice> Prices { get; set; } = [];

    /// <summary>The cost in USD of these tokens, or null when the table has no price for the model.</summary>
    public decimal? Cost(string provider, string model, long inputTokens, long outputTokens)
    {
        var price = Prices.FirstOrDefault(p => p.Provider == provider && p.Model == model)
            ?? Prices.FirstOrDefault(p => p.Provider == provider && p.Model == "*");
        return price is null ? null : ((inputTokens * price.InputPerMillion) + (outputTokens * price.OutputPerMillion)) / 1_000_000m;
    }
}

internal sealed class LlmPriceOptionsValidator(IOptions<LlmOptions> llm) : IValidateOptions<LlmPriceOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmPriceOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Prices.Count; i++)
        {
            var p = options.Prices[i];
            var prefix = $"{LlmOptions.Section}:Prices:{i}";
            if (!llm.Value.Providers.ContainsKey(p.Provider))
            {
                errors.Add($"{prefix}:Provider '{p.Provider}' is not defined under {LlmOptions.Section}:Providers.");
            }

            if (string.IsNullOrWhiteSpace(p.Model))
            {
                errors.Add($"{prefix}:Model is required (a model name, or * for every model of the provider).");
            }

            if (p.InputPerMillion < 0 || p.OutputPerMillion < 0)
            {
                errors.Add($"{prefix}: InputPerMillion and OutputPerMillion are USD per million tokens, at least 0.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
