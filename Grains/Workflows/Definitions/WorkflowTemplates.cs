using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills.Json;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>
/// Step input and workflow output templates: any JSON value whose strings may hold
/// <c>{{ input.path }}</c> or <c>{{ steps.id.output.path }}</c> placeholders (a trailing <c>?</c>
/// gives null for a missing path). Filling is <see cref="JsonTemplate"/>'s: a string that is
/// exactly one placeholder becomes the value, otherwise the values are interpolated as text.
/// </summary>
public static class WorkflowTemplates
{
    public static IReadOnlyList<WorkflowValidationIssue> Check(string templateJson, string path, ISet<string> visibleSteps) =>
        Check(templateJson, path, visibleSteps, visibleSteps);

    /// <summary>As <see cref="Check(string, string, ISet{string})"/>; <paramref name="allSteps"/> tells "no such step" from "not a dependency".</summary>
    internal static IReadOnlyList<WorkflowValidationIssue> Check(string templateJson, string path, ISet<string> visibleSteps, ISet<string> allSteps)
    {
        using var document = WorkflowPaths.TryParseJson(templateJson, out var error);
        if (document is null)
        {
            return [new(path, ErrorCodes.WorkflowTemplateInvalid, $"{path} is not valid JSON: {error}")];
        }

        var issues = new List<WorkflowValidationIssue>();
        foreach (var (where, placeholder) in JsonTemplate.Walk(document.RootElement, path))
        {
            if (!WorkflowPaths.TryParse(placeholder.PathText, out _, out var stepId, out var code, out var message))
            {
                issues.Add(new(where, code, $"{where}: {message}."));
            }
            else if (stepId is not null && !visibleSteps.Contains(stepId))
            {
                issues.Add(new(where, ErrorCodes.WorkflowUnknownReference, allSteps.Contains(stepId)
                    ? $"{where}: '{placeholder.PathText}' refers to step '{stepId}', which this step does not depend on (directly or through other steps)."
                    : $"{where}: '{placeholder.PathText}' refers to step '{stepId}', which does not exist."));
            }
        }

        return issues;
    }

    /// <summary>The ids of the steps the template's placeholders read (empty for invalid JSON).</summary>
    public static IReadOnlySet<string> ReferencedSteps(string templateJson)
    {
        using var document = WorkflowPaths.TryParseJson(templateJson, out _);
        var steps = new HashSet<string>(StringComparer.Ordinal);
        if (document is not null)
        {
            foreach (var (_, placeholder) in JsonTemplate.Walk(document.RootElement, ""))
            {
                if (WorkflowPaths.TryParse(placeholder.PathText, out _, out var stepId, out _, out _) && stepId is not null)
                {
                    steps.Add(stepId);
                }
            }
        }

        return steps;
    }

    /// <summary>Fills the template; throws <see cref="WorkflowTemplateException"/> (<c>workflow.template_failed</c>) for a missing required path, a bad template or an output over <see cref="JsonTemplate.MaxOutputBytes"/>.</summary>
    public static string Render(string templateJson, string inputJson, IReadOnlyDictionary<string, StepData> steps)
    {
        using var template = WorkflowPaths.TryParseJson(templateJson, out var error)
            ?? throw new WorkflowTemplateException(ErrorCodes.WorkflowTemplateFailed, $"The template is not valid JSON: {error}");
        using var root = WorkflowPaths.BuildRoot(inputJson, steps, ReferencedSteps(templateJson));
        var data = root.RootElement;
        var result = JsonTemplate.Apply(template.RootElement, placeholder => Resolve(placeholder, data),
            why => new WorkflowTemplateException(ErrorCodes.WorkflowTemplateFailed, why));
        return result?.ToJsonString() ?? "null";
    }

    internal static JsonNode? Resolve(Placeholder placeholder, JsonElement data)
    {
        if (!WorkflowPaths.TryParse(placeholder.PathText, out var path, out _, out _, out var error))
        {
            throw new WorkflowTemplateException(ErrorCodes.WorkflowTemplateFailed, $"Invalid placeholder: {error}.");
        }

        if (path.TryEvaluate(data, out var value))
        {
            return value;
        }

        return placeholder.Optional
            ? null
            : throw new WorkflowTemplateException(ErrorCodes.WorkflowTemplateFailed,
                $"'{placeholder.PathText}' does not exist (end the placeholder with '?' to get null instead).");
    }
}
