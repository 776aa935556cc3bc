using OrleansAgents.Api.Endpoints;
using OrleansAgents.Tasks;
using OrleansAgents.Workflows;

namespace OrleansAgents.Tests;

/// <summary>
/// The "must be one of …" texts are derived from the enums; these pin them to what the API
/// answered when they were written by hand, so a derived list cannot drift from the JSON names.
/// </summary>
public sealed class WireNamesTests
{
    [Fact]
    public void List_MatchesTheJsonNames_ForEveryFilteredEnum()
    {
        Assert.Equal("idle, busy, unhealthy, retired, degraded", WireNames.List<OrleansAgents.Agents.AgentStatus>());
        Assert.Equal("queued, running, succeeded, failed, cancelled, dead-lettered", WireNames.List<TaskState>());
        Assert.Equal("created, validated, staged, active, archived, failed", WireNames.List<WorkflowStatus>());
        Assert.Equal("running, waiting, succeeded, failed, cancelled", WireNames.List<WorkflowRunStatus>());
    }

    [Theory]
    [InlineData("dead-lettered", TaskState.DeadLettered)]
    [InlineData("queued", TaskState.Queued)]
    public void Parse_AcceptsExactlyTheWireName(string name, TaskState expected) =>
        Assert.Equal(expected, WireNames.Parse<TaskState>(name));

    [Theory]
    [InlineData("Queued")]
    [InlineData("dead_lettered")]
    [InlineData("DeadLettered")]
    [InlineData("5")]
    [InlineData("")]
    public void Parse_RefusesAnythingElse(string name) =>
        Assert.Null(WireNames.Parse<TaskState>(name));
}
