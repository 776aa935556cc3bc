using System.Globalization;
using System.Text.Json;

namespace OrleansAgents.Grains.Workflows.Planner;

/// <summary>What the planner is told: the task, the definition format in brief, and the goal.</summary>
public static class PlannerPrompt
{
    private const string Base = """
        You design workflows for an Orleans Agents cluster. A workflow is a DAG of steps; each step is a task
        an agent runs with one skill. Work like this:
        1. Call list_skills and list_capabilities to learn what exists. Use only skills and capabilities listed there.
        2. Draft a definition, a JSON object with exactly these fields:
           {"name": "...", "goal": "...", "inputSchema": {JSON Schema subset: type, properties, required, additionalProperties, items, enum, min/max...},
            "steps": [{"id": "lower_case_id", "capability": "<one listed capability>" (or "agentId": "<agent id>", never both),
                       "skill": "<skill name>", "input": <template: any JSON; strings may hold {{ input.x }} or {{ steps.<id>.output.y }}>,
                       "dependsOn": ["<step id>"], "condition": "optional expression", "maxAttempts": 1-20, "timeoutSeconds": 1-86400}],
            "output": <optional template over input and steps>}
           A step's capability must be allowed to run its skill, and its input must fit the skill's input schema.
           A step may only read the outputs of steps it depends on (directly or transitively).
        3. Call validate_workflow with the draft. If it answers findings, fix every one and call it again.
        4. When it answers valid, stop and reply "done". Do not invent skills, capabilities or agents.
        """;

    public static string Instructions(string? agentInstructions) =>
        string.IsNullOrWhiteSpace(agentInstructions) ? Base : Base + "\nAlso follow the agent's own instructions:\n" + agentInstructions;

    public static string ForGoal(string goal, int rounds) => string.Create(CultureInfo.InvariantCulture,
        $"Design a workflow for this goal. You may validate at most {rounds} drafts.\n\nGoal: {goal}");

    /// <summary>A JSON object in a final answer (bare or in a ```json fence), as compact JSON; null when there is none.</summary>
    public static string? DraftIn(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.GetRawText() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
