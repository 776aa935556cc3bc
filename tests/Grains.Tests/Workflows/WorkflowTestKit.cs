namespace OrleansAgents.Tests.Workflows;

/// <summary>Small builders for definitions and waits shared by the workflow tests.</summary>
internal static class WorkflowTestKit
{
    public static WorkflowStep Step(string id, string input = "{}", string[]? dependsOn = null, string? condition = null,
        bool approval = false, string capability = "wf-work", string skill = "test.probe", int? maxAttempts = null) =>
        new(id, capability, null, skill, input, dependsOn ?? [], condition, maxAttempts, null, approval);

    public static WorkflowDefinition Definition(string name, params WorkflowStep[] steps) =>
        new(name, "A goal for " + name, "{}", steps, null);

    /// <summary>Registers an agent with capability wf-work (idempotent across tests sharing the cluster).</summary>
    public static async Task RegisterWorkerAsync(IGrainFactory grains, string agentId = "wf-worker", int slots = 8)
    {
        if (await grains.GetGrain<IAgentGrain>(agentId).GetAsync() is null)
        {
            await grains.GetGrain<IAgentGrain>(agentId).RegisterAsync(new AgentSpec(agentId, null, ["wf-work"], slots, new Dictionary<string, string>()));
        }
    }

    /// <summary>Creates, validates and (optionally) promotes a workflow to active.</summary>
    public static async Task<IWorkflowGrain> ActiveAsync(IGrainFactory grains, string id, WorkflowDefinition definition)
    {
        var workflow = grains.GetGrain<IWorkflowGrain>(id);
        await workflow.CreateAsync(definition, "tester");
        await workflow.ValidateAsync("tester");
        await workflow.TransitionAsync(WorkflowStatus.Staged, "tester");
        await workflow.TransitionAsync(WorkflowStatus.Active, "tester");
        return workflow;
    }

    public static async Task<WorkflowRunView> WaitForAsync(IGrainFactory grains, string runId, Func<WorkflowRunView, bool> condition, TimeSpan? within = null) =>
        (await Eventually.HoldsAsync(
            () => grains.GetGrain<IWorkflowRunGrain>(runId).GetAsync().AsTask(),
            view => view is not null && condition(view),
            $"run {runId} to reach the expected state",
            within,
            tolerateFailures: true, // a killed silo may not be declared dead yet; a domain error is an answer
            describe: view => $"{view?.Status}: " + string.Join(", ", view?.Steps.Select(s => $"{s.Id}={s.Status}") ?? []),
            transient: ex => ex is not OrleansAgents.Errors.DomainException))!;

    public static Task<WorkflowRunView> WaitForFinishAsync(IGrainFactory grains, string runId, TimeSpan? within = null) =>
        WaitForAsync(grains, runId, v => WorkflowRules.IsFinished(v.Status), within);
}
