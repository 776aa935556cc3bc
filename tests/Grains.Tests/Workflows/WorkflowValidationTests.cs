using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Tests.Workflows;

public sealed class WorkflowValidationTests
{
    internal static WorkflowStep Step(string id, params string[] dependsOn) =>
        new(id, "search", null, "json.transform", "{}", dependsOn, null, null, null, false);

    internal static WorkflowDefinition Definition(params WorkflowStep[] steps) =>
        new("Research", "Find things", """{ "type": "object" }""", steps, null);

    private static IReadOnlyList<WorkflowValidationIssue> Check(WorkflowDefinition definition) => WorkflowValidation.CheckStructure(definition);

    private static WorkflowValidationIssue Single(WorkflowDefinition definition, string path, string code)
    {
        var issues = Check(definition);
        Assert.True(issues.Count == 1, string.Join("\n", issues));
        Assert.Equal((path, code), (issues[0].Path, issues[0].Code));
        return issues[0];
    }

    [Fact]
    public void CheckStructure_ValidDefinition_HasNoIssues()
    {
        var definition = Definition(
            Step("fetch") with { InputTemplateJson = """{ "q": "{{ input.q }}" }""" },
            Step("rank", "fetch") with { AgentId = "agent-1", Capability = null, MaxAttempts = 3, TimeoutSeconds = 60 },
            Step("report", "rank") with
            {
                InputTemplateJson = """{ "top": "{{ steps.fetch.output.items[0] }}", "s": "{{ steps.rank.status }}" }""",
                Condition = "steps.fetch.output.count > 0 && input.mode != \"dry\"",
                RequiresApproval = true,
            }) with { OutputTemplateJson = """{ "report": "{{ steps.report.output }}" }""" };

        Assert.Empty(Check(definition));
    }

    [Fact]
    public void CheckStructure_HeaderAndSizeLimits_AreReported()
    {
        Single(Definition(Step("a")) with { Name = "  " }, "name", "workflow.invalid_name");
        Single(Definition(Step("a")) with { Name = new string('n', 201) }, "name", "workflow.invalid_name");
        Single(Definition(Step("a")) with { Goal = new string('g', 4001) }, "goal", "workflow.invalid_goal");
        Single(Definition(Step("a") with { InputTemplateJson = $"\"{new string('x', 300_000)}\"" }), "", "workflow.definition_too_large");
        Single(Definition(), "steps", "workflow.no_steps");
        Single(Definition([.. Enumerable.Range(0, 101).Select(i => Step($"s{i}"))]), "steps", "workflow.too_many_steps");
    }

    [Fact]
    public void CheckStructure_StepFields_AreReported()
    {
        Single(Definition(Step("Bad")), "steps[0].id", "workflow.invalid_step_id");
        Single(Definition(Step("a"), Step("a")), "steps[1].id", "workflow.duplicate_step");
        Single(Definition(Step("a") with { AgentId = "agent-1" }), "steps[0]", "workflow.step_target");
        Single(Definition(Step("a") with { Capability = null }), "steps[0]", "workflow.step_target");
        Single(Definition(Step("a") with { Capability = "Bad Cap" }), "steps[0].capability", "workflow.step_target");
        Single(Definition(Step("a") with { Capability = null, AgentId = "Bad Agent" }), "steps[0].agentId", "workflow.step_target");
        Single(Definition(Step("a") with { Skill = "Json Transform" }), "steps[0].skill", "workflow.invalid_skill");
        Single(Definition(Step("a") with { MaxAttempts = 0 }), "steps[0].maxAttempts", "workflow.invalid_max_attempts");
        Single(Definition(Step("a") with { MaxAttempts = 21 }), "steps[0].maxAttempts", "workflow.invalid_max_attempts");
        Single(Definition(Step("a") with { TimeoutSeconds = 0 }), "steps[0].timeoutSeconds", "workflow.invalid_timeout");
        Single(Definition(Step("a") with { TimeoutSeconds = 86_401 }), "steps[0].timeoutSeconds", "workflow.invalid_timeout");
        Assert.Empty(Check(Definition(Step("a") with { MaxAttempts = 20, TimeoutSeconds = 86_400 })));
    }

    [Fact]
    public void CheckStructure_Dependencies_AreReported()
    {
        var unknown = Single(Definition(Step("a"), Step("b", "a", "nope")), "steps[1].dependsOn[1]", "workflow.unknown_dependency");
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);
        Single(Definition(Step("a", "a")), "steps[0].dependsOn[0]", "workflow.invalid_dependency");
        Single(Definition(Step("a"), Step("b", "a", "a")), "steps[1].dependsOn[1]", "workflow.invalid_dependency");

        var many = Enumerable.Range(0, 51).Select(i => Step($"s{i}")).Append(Step("last", [.. Enumerable.Range(0, 51).Select(i => $"s{i}")]));
        Single(Definition([.. many]), "steps[51].dependsOn", "workflow.invalid_dependency");
    }

    [Fact]
    public void CheckStructure_Cycle_IsNamedFromItsFirstStep()
    {
        var issue = Single(Definition(Step("x"), Step("b", "c"), Step("c", "a", "x"), Step("a", "b")), "steps[1].dependsOn", "workflow.cycle");

        Assert.Contains("b → c → a → b", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckStructure_TwoCycles_AreBothReported()
    {
        var issues = Check(Definition(Step("a", "b"), Step("b", "a"), Step("c", "d"), Step("d", "c")));

        Assert.Equal(["steps[0].dependsOn", "steps[2].dependsOn"], issues.Select(i => i.Path));
        Assert.All(issues, i => Assert.Equal("workflow.cycle", i.Code));
    }

    [Fact]
    public void CheckStructure_References_SeeOnlyTransitiveDependencies()
    {
        var chain = new[] { Step("a"), Step("b", "a"), Step("side") };

        Assert.Empty(Check(Definition([.. chain, Step("c", "b") with { InputTemplateJson = """{ "v": "{{ steps.a.output.x }}" }""", Condition = "steps.a.status == \"succeeded\"" }])));

        var sibling = Single(Definition([.. chain, Step("c", "b") with { InputTemplateJson = """{ "v": { "w": "{{ steps.side.output }}" } }""" }]),
            "steps[3].input.v.w", "workflow.unknown_reference");
        Assert.Contains("does not depend on", sibling.Message, StringComparison.Ordinal);
        var missing = Single(Definition([.. chain, Step("c", "b") with { InputTemplateJson = """["{{ steps.ghost.output }}"]""" }]),
            "steps[3].input[0]", "workflow.unknown_reference");
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Single(Definition([.. chain, Step("c", "b") with { Condition = "steps.side.output.ok" }]), "steps[3].condition", "workflow.unknown_reference");
        Single(Definition(Step("a") with { InputTemplateJson = """{ "self": "{{ steps.a.output }}" }""" }), "steps[0].input.self", "workflow.unknown_reference");
    }

    [Fact]
    public void CheckStructure_TemplatesConditionsSchemaAndOutput_AreReported()
    {
        Single(Definition(Step("a") with { InputTemplateJson = "{ nope" }), "steps[0].input", "workflow.template_invalid");
        Single(Definition(Step("a") with { InputTemplateJson = """{ "q": "{{ input[ }}" }""" }), "steps[0].input.q", "workflow.template_invalid");
        Single(Definition(Step("a") with { Condition = "input.x ==" }), "steps[0].condition", "workflow.condition_invalid");
        Single(Definition(Step("a") with { Condition = "" }), "steps[0].condition", "workflow.condition_invalid");
        Single(Definition(Step("a")) with { InputSchemaJson = """{ "properties": { "q": { "format": "email" } } }""" },
            "inputSchema.properties.q.format", "workflow.schema_unsupported");
        Single(Definition(Step("a")) with { OutputTemplateJson = """{ "r": "{{ steps.b.output }}" }""" }, "output.r", "workflow.unknown_reference");
        Single(Definition(Step("a")) with { OutputTemplateJson = "[" }, "output", "workflow.template_invalid");
        Assert.Empty(Check(Definition(Step("a"), Step("b")) with { OutputTemplateJson = """{ "a": "{{ steps.a.output }}", "b": "{{ steps.b.output? }}" }""" }));
    }

    [Fact]
    public void CheckStructure_Issues_AreSortedByPathThenCodeWithoutDuplicates()
    {
        var definition = Definition(
            Step("a") with { InputTemplateJson = """{ "x": "{{ steps.zz.output }}", "y": "{{ steps.zz.output }} {{ steps.zz.output }}" }""" },
            Step("Bad", "nope") with { Skill = "!" }) with { Name = "" };

        var issues = Check(definition);

        Assert.Equal(
            ["name", "steps[0].input.x", "steps[0].input.y", "steps[1].dependsOn[0]", "steps[1].id", "steps[1].skill"],
            issues.Select(i => i.Path));
        Assert.Equal(issues.Count, issues.Distinct().Count());
    }

    [Fact]
    public void CheckStructure_ManyFindings_AreCapped()
    {
        var template = "[" + string.Join(",", Enumerable.Range(0, 150).Select(_ => "\"{{ nope }}\"")) + "]";

        var issues = Check(Definition(Step("a") with { InputTemplateJson = template }));

        Assert.Equal(WorkflowValidation.MaxIssues, issues.Count);
        Assert.All(issues, i => Assert.Equal("workflow.unknown_reference", i.Code));
    }

    [Fact]
    public void TopologicalOrder_PutsDependenciesFirstAndOtherwiseKeepsDefinitionOrder()
    {
        var steps = new[] { Step("report", "rank", "fetch"), Step("fetch"), Step("rank", "fetch"), Step("audit"), Step("notify", "report") };

        Assert.Equal(["fetch", "rank", "report", "audit", "notify"], WorkflowValidation.TopologicalOrder(steps));
    }

    [Fact]
    public void TopologicalOrder_Cycle_Throws() =>
        Assert.Throws<InvalidOperationException>(() => WorkflowValidation.TopologicalOrder([Step("a", "b"), Step("b", "a")]));
}
