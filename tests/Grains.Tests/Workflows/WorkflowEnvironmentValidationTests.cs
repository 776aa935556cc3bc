using OrleansAgents.Grains.Workflows.Definitions;
using static OrleansAgents.Tests.Workflows.WorkflowValidationTests;

namespace OrleansAgents.Tests.Workflows;

public sealed class WorkflowEnvironmentValidationTests
{
    private sealed class FakeEnvironment : IWorkflowEnvironment
    {
        public Dictionary<string, string[]> Skills { get; } = new()
        {
            ["json.transform"] = ["*"],
            ["http.request"] = ["http"],
            ["llm.chat"] = ["llm", "gpu"],
        };

        public Dictionary<string, string[]> Agents { get; } = new()
        {
            ["fetcher"] = ["http", "search"],
            ["writer"] = ["llm"],
        };

        public int Lookups { get; private set; }

        public bool TryGetSkill(string skill, out IReadOnlyCollection<string> allowedCapabilities)
        {
            var found = Skills.TryGetValue(skill, out var allowed);
            allowedCapabilities = allowed ?? [];
            return found;
        }

        public ValueTask<bool> CapabilityExistsAsync(string capability)
        {
            Lookups++;
            return ValueTask.FromResult(Agents.Values.Any(c => c.Contains(capability)));
        }

        public ValueTask<IReadOnlyList<string>?> AgentCapabilitiesAsync(string agentId)
        {
            Lookups++;
            return ValueTask.FromResult<IReadOnlyList<string>?>(Agents.GetValueOrDefault(agentId));
        }
    }

    private readonly FakeEnvironment _environment = new();

    private static WorkflowStep OnCapability(string id, string capability, string skill) =>
        Step(id) with { Capability = capability, Skill = skill };

    private static WorkflowStep OnAgent(string id, string agent, string skill) =>
        Step(id) with { Capability = null, AgentId = agent, Skill = skill };

    private Task<IReadOnlyList<WorkflowValidationIssue>> CheckAsync(params WorkflowStep[] steps) =>
        WorkflowValidation.CheckEnvironmentAsync(Definition(steps), _environment);

    [Fact]
    public async Task CheckEnvironment_EverythingExistsAndIsAllowed_HasNoIssues() =>
        Assert.Empty(await CheckAsync(
            OnCapability("a", "search", "json.transform"),
            OnCapability("b", "http", "http.request"),
            OnAgent("c", "writer", "llm.chat"),
            OnAgent("d", "fetcher", "json.transform")));

    [Fact]
    public async Task CheckEnvironment_ReportsEachProblemWhereItIs()
    {
        var issues = await CheckAsync(
            OnCapability("a", "search", "no.such"),
            OnCapability("b", "ghost", "json.transform"),
            OnAgent("c", "nobody", "json.transform"),
            OnCapability("d", "search", "http.request"),
            OnAgent("e", "fetcher", "llm.chat"));

        Assert.Equal(
            [
                ("steps[0].skill", "workflow.unknown_skill"),
                ("steps[1].capability", "workflow.unknown_capability"),
                ("steps[2].agentId", "workflow.unknown_agent"),
                ("steps[3].skill", "workflow.skill_not_allowed"),
                ("steps[4].skill", "workflow.skill_not_allowed"),
            ],
            issues.Select(i => (i.Path, i.Code)));
        Assert.Contains("'fetcher'", issues[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckEnvironment_StructurallyInvalidFields_AreLeftToCheckStructure() =>
        Assert.Empty(await CheckAsync(
            OnCapability("a", "Bad Cap", "json.transform"),
            OnAgent("b", "Bad Agent", "json.transform"),
            OnCapability("c", "search", "Bad Skill"),
            Step("d") with { AgentId = "fetcher" }));

    [Fact]
    public async Task CheckEnvironment_AsksAboutEachCapabilityAndAgentOnce()
    {
        await CheckAsync(
            OnCapability("a", "search", "json.transform"),
            OnCapability("b", "search", "json.transform"),
            OnAgent("c", "writer", "llm.chat"),
            OnAgent("d", "writer", "llm.chat"));

        Assert.Equal(2, _environment.Lookups);
    }
}
