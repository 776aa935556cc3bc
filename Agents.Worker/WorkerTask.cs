using System.Text.Json;

namespace OrleansAgents.Worker;

/// <summary>A leased task as the API answers it (the lease token stays inside the worker).</summary>
public sealed record WorkerTask(string TaskId, string Skill, JsonElement Input, int Attempt, string EffectKey, DateTimeOffset Deadline);

/// <summary>A progress report: appears as <c>event: progress</c> in the task's event stream.</summary>
public sealed record WorkerProgress(string Message, double? Percent = null);

/// <summary>Runs one task; the token is cancelled when the task is cancelled, its lease is lost, or the worker stops.</summary>
public delegate Task<JsonElement> WorkerHandler(WorkerTask task, IProgress<WorkerProgress> progress, CancellationToken cancellationToken);

/// <summary>
/// Thrown by a handler to fail the task with a code of its own. A transient failure is retried
/// (after <see cref="RetryAfter"/> if given) while the task's attempts last; a permanent one fails it.
/// Any other exception is reported as a transient <c>worker.exception</c>.
/// </summary>
public sealed class WorkerTaskException(string code, string message, bool transient = false, TimeSpan? retryAfter = null) : Exception(message)
{
    public string Code { get; } = code;

    public bool Transient { get; } = transient;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
