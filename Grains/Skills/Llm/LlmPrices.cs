using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Skills.Llm;

/// <summary>USD per million tokens of one provider's model (<c>*</c>: every model of the provider).</summary>
public sealed class LlmPrice
{
    public string Provider { get; set; } = "";

    /// <summary>A model name, or <c>*</c> for every model of the provider.</summary>
    [Required]
    public string Model { get; set; } = "*";

    [Range(typeof(decimal), "0", "79228162514264337593543950335")]
    public decimal InputPerMillion { get; set; }

    [Range(typeof(decimal), "0", "79228162514264337593543950335")]
    public decimal OutputPerMillion { get; set; }
}

/// <summary>
/// The price table, <c>Skills:Llm:Prices</c>: a list (model names may hold ':' like
/// <c>llama3.1:8b</c>, which configuration keys cannot). A model without a price has no cost.
/// </summary>
public sealed class LlmPriceOptions
{
    [ValidateEnumeratedItems]
    public List<LlmPrice> Prices { get; set; } = [];

    /// <summary>The cost in USD of these tokens, or null when the table has no price for the model.</summary>
    public decimal? Cost(string provider, string model, long inputTokens, long outputTokens)
    {
        var price = Prices.FirstOrDefault(p => p.Provider == provider && p.Model == model)
            ?? Prices.FirstOrDefault(p => p.Provider == provider && p.Model == "*");
        return price is null ? null : ((inputTokens * price.InputPerMillion) + (outputTokens * price.OutputPerMillion)) / 1_000_000m;
    }
}

/// <summary>
/// Each price's bounds (<c>[ValidateEnumeratedItems]</c>), generated from their data annotations; <see cref="ProviderFailures"/>
/// (a price names a configured provider) is added in <c>AddConversations</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class LlmPriceOptionsValidator : IValidateOptions<LlmPriceOptions>
{
    internal static IEnumerable<string> ProviderFailures(LlmPriceOptions options, IOptions<LlmOptions> llm)
    {
        for (var i = 0; i < options.Prices.Count; i++)
        {
            if (!llm.Value.Providers.ContainsKey(options.Prices[i].Provider))
            {
                yield return $"{LlmOptions.Section}:Prices:{i}:Provider '{options.Prices[i].Provider}' is not defined under {LlmOptions.Section}:Providers.";
            }
        }
    }
}
