using OrleansAgents.Errors;
using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// Leases of an external agent's tasks on two silos with a hand-driven clock: exclusive under
/// concurrency, fenced by the token, and an expired lease is a lost attempt the next worker retries.
/// </summary>
public sealed class TaskLeaseTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly string[] Work = ["work"];

    private async Task<string> RegisterExternalAsync(int maxConcurrentTasks = 64)
    {
        var id = "lease-" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Client.GetGrain<IAgentGrain>(id).RegisterAsync(
            new AgentSpec("worker", null, Work, maxConcurrentTasks, new Dictionary<string, string>(), AgentKind.External));
        return id;
    }

    private async Task<string> SubmitAsync(string agentId, int? maxAttempts = null)
    {
        var id = TaskRules.NewId();
        await fixture.Client.GetGrain<ITaskGrain>(id).SubmitAsync(
            new TaskSubmission(agentId, null, "echo", "{\"n\":1}", TaskPriority.Default, null, null, maxAttempts, null, "tester"));
        return id;
    }

    /// <summary>What the API's lease call does: take ids from the agent, then acquire each lease.</summary>
    private async Task<List<TaskLeaseGrant>> LeaseAsync(string agentId, int max)
    {
        var ids = await fixture.Client.GetGrain<IAgentLeases>(agentId).TakeForLeaseAsync(max, null);
        var grants = await Task.WhenAll(ids.Select(t => fixture.Client.GetGrain<ITaskLeases>(t).AcquireLeaseAsync(agentId, null, Lease)));
        return [.. grants.OfType<TaskLeaseGrant>()];
    }

    [Fact]
    public async Task Leases_AreExclusive_Under32ConcurrentWorkers()
    {
        var agent = await RegisterExternalAsync();
        var tasks = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            tasks.Add(await SubmitAsync(agent));
        }

        var rounds = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => LeaseAsync(agent, 2)));
        var granted = rounds.SelectMany(r => r).ToList();
        Assert.Equal(20, granted.Count);
        Assert.Equal(20, granted.Select(g => g.TaskId).Distinct().Count());
        Assert.Equal(tasks.Order(), granted.Select(g => g.TaskId).Order());
        Assert.Empty(await LeaseAsync(agent, 10));

        // The task grain fences too: 32 workers acquiring one queued task directly get exactly one lease.
        var single = await SubmitAsync(agent);
        var direct = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            fixture.Client.GetGrain<ITaskLeases>(single).AcquireLeaseAsync(agent, null, Lease)));
        Assert.Single(direct.OfType<TaskLeaseGrant>());
        Assert.Equal(TaskState.Running, (await fixture.Client.GetGrain<ITaskGrain>(single).GetAsync())!.State);
    }

    [Fact]
    public async Task ExpiredLease_IsALostAttempt_TheNextWorkerRunsIt_AndTheStaleCompleteIsRefused()
    {
        var agent = await RegisterExternalAsync();
        var id = await SubmitAsync(agent);
        var first = Assert.Single(await LeaseAsync(agent, 1));
        Assert.Equal(1, first.Attempt);
        Assert.StartsWith("1.", first.LeaseToken, StringComparison.Ordinal);

        fixture.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var lost = await Assert.ThrowsAsync<DomainException>(() => fixture.Client.GetGrain<ITaskLeases>(id).RenewLeaseAsync(first.LeaseToken, Lease));
        Assert.Equal(ErrorCodes.TaskLeaseLost, lost.Code);
        var view = (await fixture.Client.GetGrain<ITaskGrain>(id).GetAsync())!;
        Assert.Equal(TaskState.Queued, view.State);
        Assert.Equal(AttemptOutcome.Lost, view.Attempts[0].Outcome);

        var second = Assert.Single(await LeaseAsync(agent, 1));
        Assert.Equal(2, second.Attempt);
        var stale = await Assert.ThrowsAsync<DomainException>(() =>
            fixture.Client.GetGrain<ITaskLeases>(id).CompleteLeaseAsync(first.LeaseToken, "\"late\""));
        Assert.Equal(ErrorCodes.TaskLeaseLost, stale.Code);

        var done = await fixture.Client.GetGrain<ITaskLeases>(id).CompleteLeaseAsync(second.LeaseToken, "\"second\"");
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal("\"second\"", done.ResultJson);
        Assert.Equal(0, (await fixture.Client.GetGrain<IAgentGrain>(agent).GetLoadAsync()).Running);
    }

    [Fact]
    public async Task TransientFailure_IsRetriedByTheNextLease_AndAPermanentOneFailsTheTask()
    {
        var agent = await RegisterExternalAsync();
        var id = await SubmitAsync(agent, maxAttempts: 2);
        var first = Assert.Single(await LeaseAsync(agent, 1));
        var retried = await fixture.Client.GetGrain<ITaskLeases>(id).FailLeaseAsync(first.LeaseToken,
            new TaskError("worker.busy", "try later", Transient: true), TimeSpan.Zero);
        Assert.Equal(TaskState.Queued, retried.State);

        var second = Assert.Single(await LeaseAsync(agent, 1));
        Assert.Equal(2, second.Attempt);
        var failed = await fixture.Client.GetGrain<ITaskLeases>(id).FailLeaseAsync(second.LeaseToken,
            new TaskError("worker.bad_input", "cannot do this", Transient: false), null);
        Assert.Equal(TaskState.Failed, failed.State);
        Assert.Equal("worker.bad_input", failed.Error!.Code);
    }

    [Fact]
    public async Task Cancel_TellsTheWorkerAtTheNextRenew()
    {
        var agent = await RegisterExternalAsync();
        var id = await SubmitAsync(agent);
        var lease = Assert.Single(await LeaseAsync(agent, 1));
        await fixture.Client.GetGrain<ITaskGrain>(id).CancelAsync();

        var ex = await Assert.ThrowsAsync<DomainException>(() => fixture.Client.GetGrain<ITaskLeases>(id).RenewLeaseAsync(lease.LeaseToken, Lease));
        Assert.Equal(ErrorCodes.TaskCancelled, ex.Code);
        Assert.Equal(DomainErrorKind.Conflict, ex.Kind);
    }

    [Fact]
    public async Task HostedAgent_CannotBeLeased()
    {
        var id = "lease-" + Guid.NewGuid().ToString("N")[..12];
        await fixture.Client.GetGrain<IAgentGrain>(id).RegisterAsync(new AgentSpec("hosted", null, Work, 2, new Dictionary<string, string>()));
        var ex = await Assert.ThrowsAsync<DomainException>(() => fixture.Client.GetGrain<IAgentLeases>(id).TakeForLeaseAsync(1, null));
        Assert.Equal(ErrorCodes.AgentNotExternal, ex.Code);
    }
}
