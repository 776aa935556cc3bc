using System.Collections.Frozen;
using System.Text.Json;

namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>
/// Enum values as the read model stores them: the API's spelling (snake_case lower, e.g.
/// <c>active</c>, <c>production</c>), so SQL written by people reads like the API.
/// </summary>
public static class WorkflowReadModelText
{
    public static string ToText(WorkflowStatus value) => Names<WorkflowStatus>.ToText[value];

    public static string ToText(WorkflowRunMode value) => Names<WorkflowRunMode>.ToText[value];

    public static string ToText(WorkflowRunStatus value) => Names<WorkflowRunStatus>.ToText[value];

    /// <summary>The enum value a stored text names; throws for text no build of ours writes.</summary>
    public static T Parse<T>(string text)
        where T : struct, Enum =>
        Names<T>.FromText.TryGetValue(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a stored {typeof(T).Name} value.");

    private static class Names<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ToText =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, T> FromText =
            ToText.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
