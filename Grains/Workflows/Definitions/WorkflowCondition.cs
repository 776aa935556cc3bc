using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Grains.Skills.Json;
using OrleansAgents.Workflows;

namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>
/// A step condition: operands are paths (<c>input.mode</c>, <c>steps.check.output.score</c>) or JSON
/// literals (numbers, "strings", true, false, null); operators <c>== != &lt; &lt;= &gt; &gt;=</c>,
/// <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses. A bare operand is true unless it is
/// false, null, 0, "" or missing; a missing path compares as null.
/// </summary>
public sealed partial class WorkflowCondition
{
    /// <summary>Deepest nesting of parentheses and <c>!</c>, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 32;

    private readonly Node _root;

    private WorkflowCondition(string text, Node root, IReadOnlySet<string> referencedSteps)
    {
        Text = text;
        _root = root;
        ReferencedSteps = referencedSteps;
    }

    public string Text { get; }

    public IReadOnlySet<string> ReferencedSteps { get; }

    public static bool TryParse(string text, [NotNullWhen(true)] out WorkflowCondition? condition, [NotNullWhen(false)] out string? error)
    {
        condition = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the condition is empty";
            return false;
        }

        if (text.Length > WorkflowRules.ConditionMaxLength)
        {
            error = $"the condition is longer than {WorkflowRules.ConditionMaxLength} characters";
            return false;
        }

        var parser = new Parser(text);
        if (!parser.TryParse(out var root, out error))
        {
            return false;
        }

        condition = new WorkflowCondition(text, root, parser.Steps);
        return true;
    }

    /// <summary>
    /// Evaluates over the run input and the finished steps (skipped ones have no output). Throws
    /// <see cref="WorkflowTemplateException"/> only when the input or an output is not one JSON value.
    /// </summary>
    public bool Evaluate(string inputJson, IReadOnlyDictionary<string, StepData> steps)
    {
        using var root = WorkflowPaths.BuildRoot(inputJson, steps, ReferencedSteps);
        return IsTruthy(_root.Evaluate(root.RootElement));
    }

    public override string ToString() => Text;

    /// <summary>A value during evaluation; <see cref="Missing"/> when a path selected nothing.</summary>
    private readonly record struct Value(JsonNode? Node, bool Missing = false)
    {
        public JsonValueKind Kind => Missing || Node is null ? JsonValueKind.Null : Node.GetValueKind();
    }

    private static bool IsTruthy(Value value) => value.Kind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
        JsonValueKind.Number => WorkflowPaths.Number(value.Node!) != 0,
        JsonValueKind.String => value.Node!.GetValue<string>().Length > 0,
        _ => true,
    };

    private static bool AreEqual(Value left, Value right) => (left.Kind, right.Kind) switch
    {
        (JsonValueKind.Null, JsonValueKind.Null) => true,
        (JsonValueKind.Number, JsonValueKind.Number) => WorkflowPaths.Number(left.Node!) == WorkflowPaths.Number(right.Node!),
        (var l, var r) when l != r => false,
        _ => JsonNode.DeepEquals(left.Node, right.Node),
    };

    /// <summary>Numbers numerically, strings ordinally; anything else is unordered (every comparison false).</summary>
    private static int? Order(Value left, Value right) => (left.Kind, right.Kind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => WorkflowPaths.Number(left.Node!).CompareTo(WorkflowPaths.Number(right.Node!)),
        (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(left.Node!.GetValue<string>(), right.Node!.GetValue<string>()),
        _ => null,
    };

    private abstract class Node
    {
        public abstract Value Evaluate(JsonElement root);
    }

    private sealed class Literal(JsonNode? value) : Node
    {
        public override Value Evaluate(JsonElement root) => new(value?.DeepClone());
    }

    private sealed class PathNode(JsonPath path) : Node
    {
        public override Value Evaluate(JsonElement root) => path.TryEvaluate(root, out var value) ? new(value) : new(null, Missing: true);
    }

    private sealed class Not(Node operand) : Node
    {
        public override Value Evaluate(JsonElement root) => new(JsonValue.Create(!IsTruthy(operand.Evaluate(root))));
    }

    /// <summary>A chain of <c>&amp;&amp;</c> (or <c>||</c>) operands, evaluated left to right with short-circuit.</summary>
    private sealed class Logical(bool isAnd, IReadOnlyList<Node> operands) : Node
    {
        public override Value Evaluate(JsonElement root)
        {
            foreach (var operand in operands)
            {
                if (IsTruthy(operand.Evaluate(root)) != isAnd)
                {
                    return new(JsonValue.Create(!isAnd));
                }
            }

            return new(JsonValue.Create(isAnd));
        }
    }

    private sealed class Comparison(string op, Node left, Node right) : Node
    {
        public override Value Evaluate(JsonElement root)
        {
            var (l, r) = (left.Evaluate(root), right.Evaluate(root));
            var result = op switch
            {
                "==" => AreEqual(l, r),
                "!=" => !AreEqual(l, r),
                "<" => Order(l, r) < 0,
                "<=" => Order(l, r) <= 0,
                ">" => Order(l, r) > 0,
                _ => Order(l, r) >= 0,
            };
            return new(JsonValue.Create(result));
        }
    }
}
