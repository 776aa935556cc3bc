using OrleansAgents.Errors;
using static OrleansAgents.Tests.Workflows.WorkflowTestKit;

namespace OrleansAgents.Tests.Workflows;

[CollectionDefinition(Name)]
public sealed class WorkflowClusterGroup : ICollectionFixture<WorkflowClusterFixture>
{
    public const string Name = "workflows";
}

[Collection(WorkflowClusterGroup.Name)]
public sealed class WorkflowLifecycleTests(WorkflowClusterFixture fixture)
{
    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task EveryLifecycleTransition_IsAllowedOnlyInOrder_AndRecordsWhoDidIt()
    {
        await RegisterWorkerAsync(_client);
        var workflow = _client.GetGrain<IWorkflowGrain>("lifecycle");
        var created = await workflow.CreateAsync(Definition("Lifecycle", Step("a")), "alice");
        Assert.Equal(WorkflowStatus.Created, created.Status);
        Assert.Equal(("alice", 1), (created.CreatedBy, created.Version));

        // created: only validate (or archive) moves it on.
        await AssertTransitionRefused(workflow, WorkflowStatus.Staged);
        await AssertTransitionRefused(workflow, WorkflowStatus.Active);

        var validated = await workflow.ValidateAsync("bob");
        Assert.Equal(WorkflowStatus.Validated, validated.Status);
        Assert.Empty(validated.Issues);
        await AssertTransitionRefused(workflow, WorkflowStatus.Active);

        Assert.Equal(WorkflowStatus.Staged, (await workflow.TransitionAsync(WorkflowStatus.Staged, "carol")).Status);
        await AssertTransitionRefused(workflow, WorkflowStatus.Staged);
        Assert.Equal(WorkflowStatus.Active, (await workflow.TransitionAsync(WorkflowStatus.Active, "dave")).Status);
        await AssertTransitionRefused(workflow, WorkflowStatus.Validated);

        var archived = await workflow.TransitionAsync(WorkflowStatus.Archived, "erin");
        Assert.Equal(WorkflowStatus.Archived, archived.Status);
        await AssertTransitionRefused(workflow, WorkflowStatus.Active);
        await AssertTransitionRefused(workflow, WorkflowStatus.Archived);
        var edit = await Assert.ThrowsAsync<DomainException>(() => workflow.UpdateAsync(Definition("Lifecycle", Step("a")), null, "frank"));
        Assert.Equal(ErrorCodes.WorkflowArchived, edit.Code);
        var run = await Assert.ThrowsAsync<DomainException>(() => workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Test, "{}", "frank", null)));
        Assert.Equal(ErrorCodes.WorkflowModeNotAllowed, run.Code);

        var history = archived.History.Select(h => (h.By, h.Action, h.To)).ToList();
        Assert.Equal(
        [
            ("alice", "create", WorkflowStatus.Created),
            ("bob", "validate", WorkflowStatus.Validated),
            ("carol", "stage", WorkflowStatus.Staged),
            ("dave", "activate", WorkflowStatus.Active),
            ("erin", "archive", WorkflowStatus.Archived),
        ], history);
        Assert.Equal("erin", archived.UpdatedBy);
        Assert.Equal("alice", archived.CreatedBy);
    }

    [Fact]
    public async Task RunModes_FollowTheLifecycle()
    {
        await RegisterWorkerAsync(_client);
        var workflow = _client.GetGrain<IWorkflowGrain>("modes");
        await workflow.CreateAsync(Definition("Modes", Step("a")), "tester");
        foreach (var mode in new[] { WorkflowRunMode.Test, WorkflowRunMode.Staging, WorkflowRunMode.Production })
        {
            await AssertModeRefused(workflow, mode);
        }

        await workflow.ValidateAsync("tester");
        Assert.NotNull(await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Test, "{}", "tester", null)));
        await AssertModeRefused(workflow, WorkflowRunMode.Staging);
        await AssertModeRefused(workflow, WorkflowRunMode.Production);

        await workflow.TransitionAsync(WorkflowStatus.Staged, "tester");
        Assert.NotNull(await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Staging, "{}", "tester", null)));
        await AssertModeRefused(workflow, WorkflowRunMode.Production);

        await workflow.TransitionAsync(WorkflowStatus.Active, "tester");
        var production = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, "{}", "tester", null));
        Assert.Equal(WorkflowRunMode.Production, production.Mode);
    }

    [Fact]
    public async Task Editing_CreatesANewVersion_BackToCreated_AndOldVersionsStayReadable()
    {
        await RegisterWorkerAsync(_client);
        var workflow = await ActiveAsync(_client, "versions", Definition("Versions v1", Step("a")));
        var stale = await Assert.ThrowsAsync<DomainException>(() => workflow.UpdateAsync(Definition("Versions v2", Step("a"), Step("b", dependsOn: ["a"])), 7, "bob"));
        Assert.Equal(ErrorCodes.WorkflowVersionConflict, stale.Code);

        var v2 = await workflow.UpdateAsync(Definition("Versions v2", Step("a"), Step("b", dependsOn: ["a"])), 1, "bob");
        Assert.Equal((2, 2, WorkflowStatus.Created), (v2.Version, v2.LatestVersion, v2.Status));
        var v1 = await workflow.GetAsync(1);
        Assert.Equal("Versions v1", v1!.Definition.Name);
        Assert.Equal(2, v1.LatestVersion);
        var missing = await Assert.ThrowsAsync<DomainException>(async () => await workflow.GetAsync(9));
        Assert.Equal(ErrorCodes.WorkflowVersionNotFound, missing.Code);
    }

    [Fact]
    public async Task InvalidDefinitions_AreRefusedWithEveryFinding_AndNothingIsStored()
    {
        await RegisterWorkerAsync(_client);
        var workflow = _client.GetGrain<IWorkflowGrain>("cyclic");
        var cyclic = Definition("Cyclic", Step("a", dependsOn: ["c"]), Step("b", dependsOn: ["a"]), Step("c", dependsOn: ["b"]), Step("d", dependsOn: ["nope"]));
        var refused = await Assert.ThrowsAsync<DomainException>(() => workflow.CreateAsync(cyclic, "tester"));
        Assert.Equal(ErrorCodes.WorkflowInvalid, refused.Code);
        Assert.Contains(refused.Errors!, e => e.Code == "workflow.cycle");
        Assert.Contains(refused.Errors!, e => e.Code == "workflow.unknown_dependency" && e.Path.StartsWith("steps[3]", StringComparison.Ordinal));
        Assert.Null(await workflow.GetAsync(null));

        // A valid workflow stays unchanged when an update is refused.
        await workflow.CreateAsync(Definition("Fine", Step("a")), "tester");
        var unknownCapability = Definition("Fine", Step("a", capability: "no-such-capability"));
        var update = await Assert.ThrowsAsync<DomainException>(() => workflow.UpdateAsync(unknownCapability, null, "tester"));
        Assert.Contains(update.Errors!, e => e.Code == "workflow.unknown_capability");
        var stored = await workflow.GetAsync(null);
        Assert.Equal((1, "wf-work"), (stored!.Version, stored.Definition.Steps[0].Capability));
    }

    [Fact]
    public async Task ValidatingAgainstAChangedCluster_FailsAndStoresTheFindings()
    {
        await RegisterWorkerAsync(_client, "wf-lonely");
        await _client.GetGrain<IAgentGrain>("wf-lonely").UpdateAsync(new AgentSpec("wf-lonely", null, ["wf-lonely-cap"], 1, new Dictionary<string, string>()));
        var workflow = _client.GetGrain<IWorkflowGrain>("changing");
        await workflow.CreateAsync(Definition("Changing", Step("a", capability: "wf-lonely-cap")), "tester");
        Assert.Equal(WorkflowStatus.Validated, (await workflow.ValidateAsync("tester")).Status);

        await _client.GetGrain<IAgentGrain>("wf-lonely").RetireAsync();
        var failed = await workflow.ValidateAsync("tester");
        Assert.Equal(WorkflowStatus.Failed, failed.Status);
        var issue = Assert.Single(failed.Issues);
        Assert.Equal(("steps[0].capability", "workflow.unknown_capability"), (issue.Path, issue.Code));
        await AssertTransitionRefused(workflow, WorkflowStatus.Staged);
        Assert.Equal(WorkflowStatus.Failed, (await workflow.GetAsync(null))!.Status);
    }

    [Fact]
    public async Task RunInput_IsCheckedAgainstTheSchema()
    {
        await RegisterWorkerAsync(_client);
        var schema = """{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]}""";
        var workflow = await ActiveAsync(_client, "schema", new WorkflowDefinition("Schema", "goal", schema, [Step("a")], null));
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"n":"five"}""", "tester", null)));
        Assert.Equal(ErrorCodes.WorkflowRunInputRejected, refused.Code);
        Assert.Contains(refused.Errors!, e => e.Path == "input.q");
        Assert.Contains(refused.Errors!, e => e.Path == "input.n");

        var run = await workflow.StartRunAsync(new WorkflowRunRequest(WorkflowRunMode.Production, """{"q":"hello","n":5}""", "tester", null));
        Assert.Equal(WorkflowRunStatus.Succeeded, (await WaitForFinishAsync(_client, run.RunId)).Status);
    }

    private static async Task AssertTransitionRefused(IWorkflowGrain workflow, WorkflowStatus target)
    {
        var before = await workflow.GetAsync(null);
        var ex = await Assert.ThrowsAsync<DomainException>(() => workflow.TransitionAsync(target, "mallory"));
        Assert.Equal((ErrorCodes.WorkflowTransitionNotAllowed, DomainErrorKind.Conflict), (ex.Code, ex.Kind));
        var after = await workflow.GetAsync(null);
        Assert.Equal((before!.Status, before.History.Count), (after!.Status, after.History.Count));
    }

    private static async Task AssertModeRefused(IWorkflowGrain workflow, WorkflowRunMode mode)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => workflow.StartRunAsync(new WorkflowRunRequest(mode, "{}", "tester", null)));
        Assert.Equal((ErrorCodes.WorkflowModeNotAllowed, DomainErrorKind.Conflict), (ex.Code, ex.Kind));
    }
}
