using Orleans.Concurrency;

namespace OrleansAgents.Tasks;

/// <summary>
/// Tasks finished per second across the cluster, for the console's overview and
/// <c>GET /api/tasks/throughput</c>. Every silo reports its own running totals every few seconds
/// (one call per silo, never one per task); the grain keeps a minute of those samples in memory
/// and works the rates out from them. Key 0. Nothing is stored: after the hosting silo dies the
/// figure starts again from the next reports.
/// </summary>
[Alias("OrleansAgents.ITaskThroughputGrain")]
public interface ITaskThroughputGrain : IGrainWithIntegerKey
{
    /// <summary>A silo's totals since it started: tasks that finished, and of those how many succeeded.</summary>
    [OneWay, Alias("Report")]
    Task ReportAsync(string silo, DateTimeOffset startedAt, long finished, long succeeded);

    [Alias("Get")]
    ValueTask<TaskThroughputView> GetAsync();
}

/// <summary>Rates over the last <see cref="WindowSeconds"/> (up to a minute) from the silos that reported within it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TaskThroughputView")]
public sealed record class TaskThroughputView(
    [property: Id(0)] double FinishedPerSecond,
    [property: Id(1)] double SucceededPerSecond,
    [property: Id(2)] double WindowSeconds,
    [property: Id(3)] int Silos,
    [property: Id(4)] DateTimeOffset At);
