using OrleansAgents.Grains.Tasks;
using Sample = OrleansAgents.Grains.Tasks.TaskThroughput.Sample;

namespace OrleansAgents.Tests.Tasks;

/// <summary>The cluster's finished-tasks rate from the silos' reported totals (no cluster needed).</summary>
public sealed class TaskThroughputTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static Sample At(double secondsAgo, long finished, long succeeded) => new(Now.AddSeconds(-secondsAgo), finished, succeeded);

    [Fact]
    public void ARate_IsTheGrowthOfEachSilosTotals_OverTheTimeBetweenItsSamples_SummedOverSilos()
    {
        var longAgo = Now.AddHours(-1);
        var view = TaskThroughput.Rates(Now,
        [
            (longAgo, [At(60, 1_000, 900), At(30, 1_300, 1_150), At(0, 1_600, 1_500)]), // 600 finished and 600 succeeded in 60 s
            (longAgo, [At(40, 50, 50), At(0, 250, 200)]),                                // 200 and 150 in 40 s
        ]);

        Assert.Equal(15, view.FinishedPerSecond);
        Assert.Equal(13.75, view.SucceededPerSecond);
        Assert.Equal(60, view.WindowSeconds);
        Assert.Equal(2, view.Silos);
    }

    [Fact]
    public void ASiloThatStartedWithinTheWindow_CountsFromItsStart_WhenItsTotalsWereZero()
    {
        var view = TaskThroughput.Rates(Now, [(Now.AddSeconds(-20), [At(5, 100, 100)])]);

        Assert.Equal(100 / 15.0, view.FinishedPerSecond, 2);
        Assert.Equal(1, view.Silos);
    }

    [Fact]
    public void ASiloThatStoppedReporting_IsNotCounted()
    {
        var view = TaskThroughput.Rates(Now, [(Now.AddHours(-1), [At(50, 0, 0), At(20, 500, 500)])]);

        Assert.Equal(0, view.FinishedPerSecond);
        Assert.Equal(0, view.Silos);
    }
}
