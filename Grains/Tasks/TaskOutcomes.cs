using Microsoft.Extensions.DependencyInjection;

namespace OrleansAgents.Grains.Tasks;

/// <summary>A finished task as the features that learn from outcomes see it (trust, workflow runs).</summary>
public sealed record class TaskOutcome(
    string TaskId,
    string AgentId,
    string? Capability,
    string Skill,
    TaskState State,
    string SubmittedBy,
    string? Origin,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset FinishedAt,
    TaskView Task);

/// <summary>
/// Told about every task that finishes, after its final state is stored. Calls are
/// at-least-once: a sink that throws is called again when the agent's watchdog checks the task
/// (it holds the slot until every sink succeeded), and after a crash, so a sink must
/// tolerate repeats (e.g. key its effect by <see cref="TaskOutcome.TaskId"/>) and must not call
/// the task grain back (it is still finishing). Register with
/// <c>services.AddTaskOutcomeSink&lt;T&gt;()</c>; sinks are silo singletons.
/// </summary>
public interface ITaskOutcomeSink
{
    ValueTask TaskFinishedAsync(TaskOutcome outcome, CancellationToken cancellationToken);
}

public static class TaskOutcomeSinkServiceCollectionExtensions
{
    public static IServiceCollection AddTaskOutcomeSink<T>(this IServiceCollection services)
        where T : class, ITaskOutcomeSink
    {
        services.AddSingleton<ITaskOutcomeSink, T>();
        return services;
    }
}
