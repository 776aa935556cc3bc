using Microsoft.Extensions.DependencyInjection;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Swarms;
using OrleansAgents.Swarms;

namespace OrleansAgents.Tests.Swarms;

/// <summary>A start resent under the same Idempotency-Key (same id) answers the first optimisation and repairs what a crash left undone.</summary>
public sealed class OptimizationIdempotencyTests(SwarmClusterFixture fixture) : IClassFixture<SwarmClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    private IReminderTable Reminders => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();

    [Fact]
    public async Task Resend_OfTheSameRequest_AnswersTheRun_AndReRegistersItsWatchdog()
    {
        var id = SwarmRules.IdForIdempotencyKey("swarm-tester", "resend-1");
        var grain = _client.GetGrain<IOptimizationGrain>(id);
        var request = OptimizationGrainTests.Request("sphere", 5, 1_000_000, seed: 3, swarmSize: 20) with { Seed = null };
        var first = await grain.StartAsync(request);

        // A start that died after storing the record but before its reminder was kept: no watchdog row.
        var row = await Reminders.ReadRow(grain.GetGrainId(), OptimizationGrain.WatchdogReminder);
        Assert.NotNull(row);
        Assert.True(await Reminders.RemoveRow(grain.GetGrainId(), OptimizationGrain.WatchdogReminder, row.ETag!));

        var again = await grain.StartAsync(request);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Spec.Seed, again.Spec.Seed); // the drawn seed is the stored one, not a new draw
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        Assert.Equal(OptimizationStatus.Running, again.Status);
        Assert.NotNull(await Reminders.ReadRow(grain.GetGrainId(), OptimizationGrain.WatchdogReminder));
        Assert.Equal(OptimizationStatus.Cancelled, (await grain.CancelAsync()).Status);

        // A finished one answers its final view.
        Assert.Equal(OptimizationStatus.Cancelled, (await grain.StartAsync(request)).Status);
    }

    [Fact]
    public async Task Resend_OfADifferentRequest_IsAnIdempotencyConflict_AndChangesNothing()
    {
        var grain = _client.GetGrain<IOptimizationGrain>(SwarmRules.IdForIdempotencyKey("swarm-tester", "resend-2"));
        var request = OptimizationGrainTests.Request("sphere", 3, 10, seed: 5, swarmSize: 10);
        await grain.StartAsync(request);

        foreach (var other in new[] { request with { Iterations = 11 }, request with { Bounds = [new SearchBound(-1, 1)] }, request with { TargetValue = 0.5 } })
        {
            var ex = await Assert.ThrowsAsync<DomainException>(() => grain.StartAsync(other));
            Assert.Equal(ErrorCodes.SwarmIdempotencyConflict, ex.Code);
        }

        var done = await SwarmClusterFixture.WaitForAsync(async () => (await grain.GetAsync())!, v => SwarmRules.IsFinished(v.Status), "the optimisation to finish");
        Assert.Equal(10, done.Spec.Iterations);
        Assert.Equal(OptimizationStatus.Completed, done.Status);
    }

    [Fact]
    public void IdForIdempotencyKey_IsAValidId_PerCallerAndKey()
    {
        var id = SwarmRules.IdForIdempotencyKey("alice", "k");

        Assert.True(SwarmRules.IsValidId(id));
        Assert.Equal(id, SwarmRules.IdForIdempotencyKey("alice", "k"));
        Assert.NotEqual(id, SwarmRules.IdForIdempotencyKey("bob", "k"));
        Assert.NotEqual(id, SwarmRules.IdForIdempotencyKey("alice", "k2"));
    }
}
