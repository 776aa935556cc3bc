using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Hosting;

/// <summary>The one way a capability registers its settings: bound from a section, checked at start-up.</summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, adds <typeparamref name="TValidator"/>
    /// once, and validates at start so a wrong setting stops the process with every failure named.
    /// <typeparamref name="TValidator"/> is usually an <c>[OptionsValidator]</c> generated from data annotations;
    /// its failures are reworded to name the configuration key (<c>Section:Member</c>), which is what an operator sets.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddSingleton(new OptionsSection<TOptions>(section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ConfigKeyNamedValidator<TOptions, TValidator>>());
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// As <see cref="AddValidatedOptions{TOptions, TValidator}"/> for options the generator has nothing to check at the
    /// top (only a dictionary of items, which it does not enumerate): every rule comes from <c>ValidateRules</c>.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();

    /// <summary>
    /// Adds the rules data annotations cannot state (across settings, over a list's items): <paramref name="failures"/>
    /// yields one "Section:Key …" message per broken rule, with the values involved, and nothing when all hold.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateRules<TOptions>(this OptionsBuilder<TOptions> builder, Func<TOptions, IEnumerable<string>> failures)
        where TOptions : class
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new RuleValidator<TOptions>(builder.Name, failures));
        return builder;
    }

    /// <summary>As <see cref="ValidateRules{TOptions}(OptionsBuilder{TOptions}, Func{TOptions, IEnumerable{string}})"/>, for rules that read a service (e.g. Orleans' reminder minimum).</summary>
    public static OptionsBuilder<TOptions> ValidateRules<TOptions, TDependency>(this OptionsBuilder<TOptions> builder, Func<TOptions, TDependency, IEnumerable<string>> failures)
        where TOptions : class
        where TDependency : notnull
    {
        var name = builder.Name;
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(sp =>
            new RuleValidator<TOptions>(name, o => failures(o, sp.GetRequiredService<TDependency>())));
        return builder;
    }
}

/// <summary>Hand-written rules of one options type, given as a function from the options to their failures.</summary>
internal sealed class RuleValidator<TOptions>(string? name, Func<TOptions, IEnumerable<string>> failures) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? optionsName, TOptions options)
    {
        if (name is not null && name != optionsName)
        {
            return ValidateOptionsResult.Skip;
        }

        var found = failures(options).ToList();
        return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
    }
}

/// <summary>Bounds for <c>[Range(typeof(TimeSpan), …)]</c> on options (attribute arguments must be constants).</summary>
public static class OptionBounds
{
    /// <summary>One tick: with <see cref="MaxTimeSpan"/>, "must be positive".</summary>
    public const string MinPositiveTimeSpan = "00:00:00.0000001";

    /// <summary><see cref="TimeSpan.MaxValue"/>: the range states only a minimum.</summary>
    public const string MaxTimeSpan = "10675199.02:48:05.4775807";
}

/// <summary>The configuration section <typeparamref name="TOptions"/> is bound from.</summary>
internal sealed record OptionsSection<TOptions>(string Name);

/// <summary>
/// Runs <typeparamref name="TValidator"/> and names each failure by its configuration key
/// (<see cref="ConfigKeys.Reword"/>); failures already written as "Section:Key …" pass through unchanged.
/// </summary>
internal sealed class ConfigKeyNamedValidator<TOptions, TValidator>(OptionsSection<TOptions> section, IServiceProvider services)
    : IValidateOptions<TOptions>
    where TOptions : class
    where TValidator : class, IValidateOptions<TOptions>
{
    private readonly TValidator _inner = ActivatorUtilities.CreateInstance<TValidator>(services);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = _inner.Validate(name, options);
        if (!result.Failed || result.Failures is null)
        {
            return result;
        }

        return ValidateOptionsResult.Fail(result.Failures.Select(f => ConfigKeys.Reword(section.Name, f, options)));
    }
}

/// <summary>
/// Rewrites the generated validator's "Member: The field Type.Member must be between 10 and 2147483647." into
/// "Section:Member must be at least 10 (was 5).": the generator ignores a custom ErrorMessage in some cases, and its
/// type-qualified name is not something an operator can find in appsettings. A nested member
/// (<c>[ValidateObjectMembers]</c>: "Type.Lockout.MaxFailures", <c>[ValidateEnumeratedItems]</c>: "Type.Prices[0].Model")
/// becomes "Section:Lockout:MaxFailures", "Section:Prices:0:Model".
/// </summary>
public static partial class ConfigKeys
{
    /// <summary>
    /// Runs a generated validator where no options pipeline does (a dictionary's values, settings read before the host
    /// is built), each failure named as <c>{keyPrefix}:Member</c>.
    /// </summary>
    public static IEnumerable<string> FailuresOf<TOptions>(this IValidateOptions<TOptions> validator, string keyPrefix, TOptions options)
        where TOptions : class
    {
        var result = validator.Validate(null, options);
        return result.Failed && result.Failures is not null ? result.Failures.Select(f => Reword(keyPrefix, f, options)) : [];
    }

    /// <summary>The generator's <paramref name="failure"/> about <paramref name="options"/>, named from <paramref name="keyPrefix"/>; other text unchanged.</summary>
    public static string Reword(string keyPrefix, string failure, object options)
    {
        var match = GeneratedFailure().Match(failure);
        if (!match.Success)
        {
            return failure;
        }

        var member = match.Groups["member"].Value;
        var path = match.Groups["path"].Captures.Select(c => c.Value).ToList();
        var key = string.Join(':', [keyPrefix, .. path.Select(p => p.Replace("[", ":", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal)), member]);
        var rule = OpenEndedRange().Replace(match.Groups["rule"].Value, "must be at least ${min}");
        var value = ValueAt(options, [.. path, member]);
        var was = value is null || (value is string text && string.IsNullOrWhiteSpace(text)) ? "" : string.Create(CultureInfo.InvariantCulture, $" (was {value})");
        return $"{key} {rule}{was}.";
    }

    // Follows "Lockout", "Prices[0]", … from the options to the member the failure is about.
    private static object? ValueAt(object? value, IEnumerable<string> path)
    {
        foreach (var step in path)
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            var property = bracket < 0 ? step : step[..bracket];
            value = value?.GetType().GetProperty(property)?.GetValue(value);
            if (bracket >= 0 && value is System.Collections.IList list)
            {
                var index = int.Parse(step[(bracket + 1)..^1], CultureInfo.InvariantCulture);
                value = index < list.Count ? list[index] : null;
            }
        }

        return value;
    }

    // "Member: The field Type.Member <rule>." (Range, MinLength, …), "Member: The Type.Member field is required.",
    // and nested members "Type.Lockout.Member", "Type.Prices[0].Member".
    [GeneratedRegex(@"^(?<member>\w+): The (?:field )?(?:\w+\.)?(?:(?<path>\w+(?:\[\d+\])?)\.)*\k<member>(?: field)? (?<rule>.+?)\.?$")]
    private static partial Regex GeneratedFailure();

    // A Range whose upper bound is the type's maximum only states a minimum.
    [GeneratedRegex(@"must be between (?<min>\S+) and (?:2147483647|9223372036854775807|1\.7976931348623157E\+308|79228162514264337593543950335|10675199\.02:48:05\.4775807)$")]
    private static partial Regex OpenEndedRange();
}
