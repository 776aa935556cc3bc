using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Workflows.Planner;

/// <summary>Section <c>Workflows:Planner</c>: the default planner agent of POST /api/workflows/generate and its bounds.</summary>
public sealed class WorkflowPlannerOptions
{
    public const string Section = "Workflows:Planner";

    /// <summary>The hosted agent used when a request names none; registered on first use when it does not exist.</summary>
    [Required, RegularExpression(AgentRules.IdPattern)]
    public string AgentId { get; set; } = "planner";

    /// <summary>Provider of Skills:Llm:Providers for the default planner; empty: Skills:Llm:DefaultProvider, or the only provider.</summary>
    public string? Provider { get; set; }

    /// <summary>Model of the default planner; empty: the provider's default model.</summary>
    public string? Model { get; set; }

    /// <summary>Drafts the planner may have validated when a request does not say (each a round of repair).</summary>
    [Range(1, 50)]
    public int MaxRounds { get; set; } = 3;

    /// <summary>Most rounds a request may ask for.</summary>
    [Range(1, 50)]
    public int MaxRoundsLimit { get; set; } = 10;

    /// <summary>Agents the capability tool looks at (one page of the agent catalogue), so a large cluster gives a bounded prompt.</summary>
    [Range(1, AgentRules.MaxPageSize)]
    public int CatalogueAgents { get; set; } = 200;
}

/// <summary>Generated from the data annotations above; registered through AddValidatedOptions, which names the config keys.</summary>
[OptionsValidator]
internal sealed partial class WorkflowPlannerOptionsValidator : IValidateOptions<WorkflowPlannerOptions>;
