using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Tests.Workflows;

public sealed class WorkflowConditionTests
{
    private const string Input = """{ "mode": "full", "n": 3, "zero": 0, "empty": "", "flag": false, "list": [], "nothing": null, "ratio": 2.5 }""";

    private static readonly Dictionary<string, StepData> Steps = new()
    {
        ["check"] = new("succeeded", """{ "score": 0.8, "label": "ok", "items": [1, 2] }"""),
        ["gate"] = new("skipped", null),
    };

    private static bool Eval(string text)
    {
        Assert.True(WorkflowCondition.TryParse(text, out var condition, out var error), error);
        return condition.Evaluate(Input, Steps);
    }

    [Theory]
    [InlineData("input.mode == \"full\"", true)]
    [InlineData("input.mode != \"full\"", false)]
    [InlineData("input.n == 3", true)]
    [InlineData("input.n == 3.0", true)]
    [InlineData("input.n > 2 && input.n <= 3", true)]
    [InlineData("input.n < -1", false)]
    [InlineData("input.ratio >= 2.5e0", true)]
    [InlineData("steps.check.output.score > 0.5", true)]
    [InlineData("steps.check.output.label < \"ol\"", true)]
    [InlineData("\"B\" < \"a\"", true)]
    [InlineData("steps.check.status == \"succeeded\"", true)]
    [InlineData("steps.gate.status == \"skipped\"", true)]
    [InlineData("steps.check.output.items[1] == 2", true)]
    [InlineData("steps.check.output.items == steps.check.output.items", true)]
    [InlineData("1e999 > 1e308", true)]
    [InlineData("-1e999 < -1e308", true)]
    public void Evaluate_Comparisons(string text, bool expected) => Assert.Equal(expected, Eval(text));

    [Theory]
    [InlineData("input.n == \"3\"", false)]
    [InlineData("input.n != \"3\"", true)]
    [InlineData("input.n < \"4\"", false)]
    [InlineData("input.n >= \"1\"", false)]
    [InlineData("input.flag == 0", false)]
    [InlineData("input.nothing == false", false)]
    public void Evaluate_MixedTypes_AreNotEqualAndUnordered(string text, bool expected) => Assert.Equal(expected, Eval(text));

    [Theory]
    [InlineData("input.mode", true)]
    [InlineData("input.n", true)]
    [InlineData("input.list", true)]
    [InlineData("input.zero", false)]
    [InlineData("input.empty", false)]
    [InlineData("input.flag", false)]
    [InlineData("input.nothing", false)]
    [InlineData("input.missing", false)]
    [InlineData("steps.gate.output.x", false)]
    [InlineData("!input.missing", true)]
    [InlineData("!!input.mode", true)]
    [InlineData("true", true)]
    [InlineData("null", false)]
    [InlineData("input.missing == null", true)]
    [InlineData("steps.gate.output == null", true)]
    public void Evaluate_Truthiness(string text, bool expected) => Assert.Equal(expected, Eval(text));

    [Theory]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("!true || true", true)]
    [InlineData("!(true || true)", false)]
    [InlineData("input.n == 3 || input.missing.deep > 1", true)]
    [InlineData("false && input.n == 3 || true", true)]
    public void Evaluate_Precedence_NotThenAndThenOr(string text, bool expected) => Assert.Equal(expected, Eval(text));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("input.n =")]
    [InlineData("input.n = 3")]
    [InlineData("input.n ==")]
    [InlineData("(input.n == 3")]
    [InlineData("input.n == 3)")]
    [InlineData("1 < 2 < 3")]
    [InlineData("\"open")]
    [InlineData("01x")]
    [InlineData("input..n")]
    [InlineData("output.n")]
    [InlineData("steps.check")]
    [InlineData("input.n & 1")]
    [InlineData("input.n input.mode")]
    [InlineData("#")]
    public void TryParse_Malformed_ReturnsAnError(string text)
    {
        Assert.False(WorkflowCondition.TryParse(text, out var condition, out var error));
        Assert.Null(condition);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_DepthBomb_IsRefusedWithoutStackOverflow()
    {
        var parentheses = new string('(', 400) + "true" + new string(')', 400);
        var nots = new string('!', 900) + "true";

        Assert.False(WorkflowCondition.TryParse(parentheses, out _, out var error));
        Assert.Contains("deeper", error, StringComparison.Ordinal);
        Assert.False(WorkflowCondition.TryParse(nots, out _, out error));
        Assert.Contains("deeper", error, StringComparison.Ordinal);
        Assert.True(WorkflowCondition.TryParse(new string('(', 32) + "true" + new string(')', 32), out _, out _));
    }

    [Fact]
    public void TryParse_RandomText_NeverThrows()
    {
        string[] pieces = ["input", "steps", ".", "check", "output", "score", "[", "]", "'", "\"", "\\", "*", "0", "-", "1e999", "(", ")", "!", "=", "<", ">", "&", "|", " ", "?", "true", "null", "x"];
        var random = new Random(7);
        var parsed = 0;
        for (var n = 0; n < 3000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 16)).Select(_ => pieces[random.Next(pieces.Length)]));
            if (WorkflowCondition.TryParse(text, out var condition, out _))
            {
                parsed++;
                condition.Evaluate(Input, Steps);
            }
        }

        Assert.InRange(parsed, 1, 2999);
    }

    [Fact]
    public void TryParse_TooLong_IsRefused()
    {
        var text = string.Join(" && ", Enumerable.Repeat("input.n == 3", 100));

        Assert.False(WorkflowCondition.TryParse(text, out _, out var error));
        Assert.Contains("1000", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferencedSteps_AreTheStepsItsPathsName()
    {
        Assert.True(WorkflowCondition.TryParse("steps.a.output.x > 1 && (steps['b'].status == \"ok\" || input.y)", out var condition, out _));

        Assert.Equal(["a", "b"], condition.ReferencedSteps.Order());
    }
}
