using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Something an agent can do for a task. Skills run inside a silo, on the activation of the task
/// grain; register one with <c>services.AddSkill&lt;T&gt;()</c> and allow it for agent capabilities
/// in configuration (<c>Skills:Capabilities</c>).
/// </summary>
public interface ISkill
{
    /// <summary>Stable name clients use, e.g. <c>echo</c> or <c>llm.chat</c>.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>A JSON Schema of the input, published by <c>GET /api/skills</c>.</summary>
    JsonObject InputSchema { get; }

    /// <summary>
    /// Checks an input before anything is enqueued. Returns one message per problem; empty when
    /// the input is acceptable. Must not do I/O.
    /// </summary>
    IReadOnlyList<string> Validate(JsonElement input);

    /// <summary>
    /// Does the work. Throw <see cref="SkillException"/> for an expected failure (say whether it
    /// is transient); any other exception counts as a non-transient failure. Honour the token: it
    /// is cancelled at the task's soft timeout and when the task is cancelled.
    /// </summary>
    ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken);
}

/// <summary>What a skill knows about the task it runs for.</summary>
/// <param name="TaskId">The task; stable across attempts.</param>
/// <param name="AgentId">The agent the task runs as.</param>
/// <param name="Attempt">1 for the first attempt; higher on retries and after a silo crash.</param>
/// <param name="IdempotencyKey">The client's Idempotency-Key, if any, so effects can be de-duplicated.</param>
/// <param name="SubmittedBy">The caller the task is charged to (its rate-limit partition).</param>
/// <param name="Input">The validated input.</param>
/// <param name="Memory">The running agent's memory.</param>
public sealed record class SkillContext(
    string TaskId,
    string AgentId,
    int Attempt,
    string? IdempotencyKey,
    string SubmittedBy,
    JsonElement Input,
    IAgentMemory Memory)
{
    /// <summary>A key that is the same for every attempt of this task: use it to de-duplicate effects.</summary>
    public string EffectKey => IdempotencyKey ?? TaskId;
}

/// <summary>An expected failure of a skill.</summary>
public sealed class SkillException : Exception
{
    public SkillException(string code, string message, bool transient, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Transient = transient;
        RetryAfter = retryAfter;
    }

    /// <summary>A stable, machine-readable code (e.g. <c>http.status_503</c>), recorded in the attempt.</summary>
    public string Code { get; }

    /// <summary>True when another attempt may succeed; only transient failures are retried.</summary>
    public bool Transient { get; }

    /// <summary>The earliest moment a retry makes sense, when the skill knows it (e.g. a Retry-After header).</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The running agent's memory, as a skill sees it.</summary>
public interface IAgentMemory
{
    ValueTask<JsonElement?> GetAsync(string key, CancellationToken cancellationToken = default);

    ValueTask SetAsync(string key, JsonElement value, IReadOnlyList<string>? tags = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
}
