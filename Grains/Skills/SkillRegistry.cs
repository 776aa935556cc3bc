using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Settings of section <c>Skills</c>. <c>Allow</c> maps a skill name to the agent capabilities
/// that may run it (<c>*</c>: every agent); a skill not listed keeps the capabilities it was
/// registered with (built-ins: echo and json.transform for every agent, http.request for
/// <c>http</c>, llm.chat for <c>llm</c>).
/// </summary>
public sealed class SkillOptions
{
    public const string Section = "Skills";

    public Dictionary<string, List<string>> Allow { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A skill as registered, with the capabilities it is allowed for by default.</summary>
public sealed record class SkillRegistration(Type SkillType, IReadOnlyList<string> DefaultCapabilities);

/// <summary>The skills of this silo and which agent capabilities may run each.</summary>
public sealed class SkillRegistry
{
    public const string AnyCapability = "*";

    private readonly Dictionary<string, (ISkill Skill, HashSet<string> Capabilities)> _skills = new(StringComparer.Ordinal);

    public SkillRegistry(IEnumerable<ISkill> skills, IEnumerable<SkillRegistration> registrations, IOptions<SkillOptions> options)
    {
        var defaults = registrations.ToDictionary(r => r.SkillType, r => r.DefaultCapabilities);
        foreach (var skill in skills)
        {
            var allowed = options.Value.Allow.TryGetValue(skill.Name, out var configured)
                ? configured
                : defaults.GetValueOrDefault(skill.GetType(), []);
            if (!_skills.TryAdd(skill.Name, (skill, new HashSet<string>(allowed, StringComparer.Ordinal))))
            {
                throw new InvalidOperationException($"Two skills are registered with the name '{skill.Name}'.");
            }
        }
    }

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISkill? skill)
    {
        skill = _skills.TryGetValue(name, out var entry) ? entry.Skill : null;
        return skill is not null;
    }

    /// <summary>True when an agent with any of these capabilities may run the skill.</summary>
    public bool IsAllowed(string skill, IEnumerable<string> capabilities) =>
        _skills.TryGetValue(skill, out var entry) &&
        (entry.Capabilities.Contains(AnyCapability) || capabilities.Any(entry.Capabilities.Contains));

    public IReadOnlyList<SkillInfo> Describe() =>
        [.. _skills.Values
            .OrderBy(e => e.Skill.Name, StringComparer.Ordinal)
            .Select(e => new SkillInfo(
                e.Skill.Name,
                e.Skill.Description,
                e.Skill.InputSchema.ToJsonString(),
                [.. e.Capabilities.Order(StringComparer.Ordinal)]))];
}

/// <summary>
/// The rule of <c>Skills</c>, added in <c>AddSkillRegistry</c>: every capability in <c>Allow</c> is one an agent can
/// have, or <c>*</c>. Nothing here for the generator: it does not enumerate a dictionary.
/// </summary>
internal static class SkillOptionsValidator
{
    internal static IEnumerable<string> AllowFailures(SkillOptions options) =>
        from entry in options.Allow
        from capability in entry.Value
        where capability != SkillRegistry.AnyCapability && !AgentRules.IsValidCapability(capability)
        select $"{SkillOptions.Section}:Allow:{entry.Key} has an invalid capability '{capability}' (pattern {AgentRules.CapabilityPattern}, or *).";
}

public static class SkillServiceCollectionExtensions
{
    /// <summary>
    /// Registers a skill. <paramref name="defaultCapabilities"/> are the agent capabilities allowed
    /// to run it unless <c>Skills:Allow:{name}</c> says otherwise (<c>*</c>: every agent).
    /// </summary>
    public static IServiceCollection AddSkill<TSkill>(this IServiceCollection services, params string[] defaultCapabilities)
        where TSkill : class, ISkill
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISkill, TSkill>());
        services.AddSingleton(new SkillRegistration(typeof(TSkill), defaultCapabilities));
        return services;
    }
}

/// <summary>Describes the input schema with a few helpers, to keep skills short.</summary>
public static class SkillSchema
{
    public static JsonObject ObjectOf(params (string Name, JsonObject Schema, bool Required)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema, _) in properties)
        {
            props[name] = schema;
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = new JsonArray([.. properties.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Name))]),
        };
    }

    public static JsonObject Of(string type, string description) => new() { ["type"] = type, ["description"] = description };
}
