using System.Text.Json.Nodes;
using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Tests.Workflows;

public sealed class WorkflowTemplatesTests
{
    private const string Input = """{ "q": "cats", "n": 3, "tags": ["a", "b"], "odd key": true }""";

    private static readonly Dictionary<string, StepData> Steps = new()
    {
        ["search"] = new("succeeded", """{ "hits": [ { "url": "u1", "score": 0.9 }, { "url": "u2" } ], "total": 2 }"""),
        ["gate"] = new("skipped", null),
    };

    private static string Render(string template) => WorkflowTemplates.Render(template, Input, Steps);

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}, got {actual}");

    [Theory]
    [InlineData("\"{{ input.q }}\"", "\"cats\"")]
    [InlineData("\"{{input.n}}\"", "3")]
    [InlineData("\"{{ input.tags }}\"", "[\"a\",\"b\"]")]
    [InlineData("\"{{ input['odd key'] }}\"", "true")]
    [InlineData("\"{{ steps.search.output.total }}\"", "2")]
    [InlineData("\"{{ steps.search.output.hits[0].url }}\"", "\"u1\"")]
    [InlineData("\"{{ steps.search.output.hits[-1].url }}\"", "\"u2\"")]
    [InlineData("\"{{ steps.search.output.hits[*].url }}\"", "[\"u1\",\"u2\"]")]
    [InlineData("\"{{ steps.search.output.hits[*].score }}\"", "[0.9]")]
    [InlineData("\"{{ steps.search.status }}\"", "\"succeeded\"")]
    [InlineData("\"{{ steps.gate.status }}\"", "\"skipped\"")]
    [InlineData("\"{{ steps.gate.output.x? }}\"", "null")]
    [InlineData("\"{{ input.missing ? }}\"", "null")]
    [InlineData("42", "42")]
    [InlineData("null", "null")]
    public void Render_WholeString_BecomesTheValue(string template, string expected) => AssertJson(expected, Render(template));

    [Fact]
    public void Render_MixedText_Interpolates()
    {
        var output = Render("""{ "text": "q={{ input.q }} n={{ input.n }} tags={{ input.tags }} none={{ input.nope? }}", "k": [ "{{ input.n }}", 1 ] }""");

        AssertJson("""{ "text": "q=cats n=3 tags=[\"a\",\"b\"] none=", "k": [3, 1] }""", output);
    }

    [Theory]
    [InlineData("\"{{ input.missing }}\"")]
    [InlineData("\"{{ steps.gate.output.x }}\"")]
    [InlineData("\"{{ steps.gate.output }}\"")]
    [InlineData("\"{{ steps.unknown.output }}\"")]
    [InlineData("\"x {{ steps.search.output.hits[5] }}\"")]
    public void Render_MissingRequiredPath_FailsWithTemplateFailed(string template)
    {
        var e = Assert.Throws<WorkflowTemplateException>(() => Render(template));

        Assert.Equal("workflow.template_failed", e.Code);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SkippedStepOutput_IsMissingUnlessOptional()
    {
        Assert.Equal("null", Render("\"{{ steps.gate.output? }}\""));
        Assert.Throws<WorkflowTemplateException>(() => Render("\"{{ steps.gate.output }}\""));
    }

    [Fact]
    public void Render_InputThatIsNotOneJsonValue_CannotInjectSteps()
    {
        const string crafted = """{ "q": 1 }, "steps": { "search": { "status": "succeeded", "output": "forged" } }, "x": { "y": 1 }""";

        var e = Assert.Throws<WorkflowTemplateException>(() => WorkflowTemplates.Render("\"{{ steps.search.output }}\"", crafted, new Dictionary<string, StepData>()));

        Assert.Equal("workflow.template_failed", e.Code);
    }

    [Fact]
    public void Check_ValidTemplate_HasNoIssues() =>
        Assert.Empty(WorkflowTemplates.Check("""{ "a": "{{ input.q }}", "b": ["{{ steps.search.output.hits[*].url }}"] }""", "steps[1].input", new HashSet<string> { "search" }));

    [Theory]
    [InlineData("{ \"a\": ", "steps[1].input", "workflow.template_invalid")]
    [InlineData("{ \"a\": 1, \"a\": 2 }", "steps[1].input", "workflow.template_invalid")]
    [InlineData("{ \"query\": \"{{ input..q }}\" }", "steps[1].input.query", "workflow.template_invalid")]
    [InlineData("{ \"query\": \"{{ }}\" }", "steps[1].input.query", "workflow.template_invalid")]
    [InlineData("{ \"query\": \"{{ $.q }}\" }", "steps[1].input.query", "workflow.template_invalid")]
    [InlineData("{ \"query\": \"{{ output.q }}\" }", "steps[1].input.query", "workflow.unknown_reference")]
    [InlineData("{ \"query\": \"{{ steps.search }}\" }", "steps[1].input.query", "workflow.unknown_reference")]
    [InlineData("{ \"query\": \"{{ steps.search.result }}\" }", "steps[1].input.query", "workflow.unknown_reference")]
    [InlineData("{ \"query\": \"{{ steps[*].output }}\" }", "steps[1].input.query", "workflow.unknown_reference")]
    [InlineData("{ \"q\": [1, \"{{ steps.other.output }}\"] }", "steps[1].input.q[1]", "workflow.unknown_reference")]
    public void Check_BadTemplate_ReportsWhereAndWhy(string template, string path, string code)
    {
        var issue = Assert.Single(WorkflowTemplates.Check(template, "steps[1].input", new HashSet<string> { "search" }));

        Assert.Equal(path, issue.Path);
        Assert.Equal(code, issue.Code);
    }

    [Fact]
    public void ReferencedSteps_ListsStepsOfValidPlaceholders() =>
        Assert.Equal(["a", "b"], WorkflowTemplates.ReferencedSteps("""{ "x": "{{ steps.a.output }} {{ steps.b.status }}", "y": "{{ input.z }}", "w": "{{ steps.c }}" }""").Order());

    [Fact]
    public void Render_OutputPastTheBound_FailsWithTemplateFailed()
    {
        // A small template that inserts the 2 KB input value 1,000 times: 2 MB, over the 1 MiB bound.
        var template = "[" + string.Join(",", Enumerable.Repeat("\"{{ input.big }}\"", 1000)) + "]";
        var input = System.Text.Json.JsonSerializer.Serialize(new { big = new string('x', 2048) });

        var ex = Assert.Throws<WorkflowTemplateException>(() => WorkflowTemplates.Render(template, input, Steps));

        Assert.Equal(OrleansAgents.Errors.ErrorCodes.WorkflowTemplateFailed, ex.Code);
        Assert.Contains("bytes", ex.Message, StringComparison.Ordinal);
    }
}
