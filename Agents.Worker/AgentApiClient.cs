using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansAgents.Worker;

/// <summary>What the API said to a report made under a lease.</summary>
public enum LeaseAnswer
{
    Ok,

    /// <summary>409 <c>task.lease_lost</c> or <c>task.cancelled</c>: stop the work, report nothing more.</summary>
    Gone,

    /// <summary>Anything else (network, 5xx after retries): the lease may still hold; try again later.</summary>
    Failed,
}

/// <summary>
/// The worker protocol over HTTP. Retries with backoff and Retry-After live in the HttpClient's
/// resilience handler (see <see cref="AgentWorkerServiceCollectionExtensions"/>), not here.
/// </summary>
public sealed class AgentApiClient(HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Leases up to <paramref name="max"/> tasks; the response is returned as is when not a success (for its Retry-After).</summary>
    public async Task<(IReadOnlyList<LeasedTask>? Tasks, HttpResponseMessage Response)> LeaseAsync(
        string agentId, int max, double waitSeconds, double leaseSeconds, IReadOnlyList<string>? skills, CancellationToken cancellationToken)
    {
        var response = await http.PostAsJsonAsync($"api/agents/{Uri.EscapeDataString(agentId)}/leases",
            new { max, waitSeconds, leaseSeconds, skills }, Json, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (null, response);
        }

        var body = await response.Content.ReadFromJsonAsync<LeaseBody>(Json, cancellationToken).ConfigureAwait(false);
        return (body?.Tasks ?? [], response);
    }

    public Task<LeaseAnswer> RenewAsync(string taskId, string leaseToken, double leaseSeconds, CancellationToken cancellationToken) =>
        PostAsync(taskId, "lease:renew", new { leaseToken, leaseSeconds }, cancellationToken);

    public Task<LeaseAnswer> ProgressAsync(string taskId, string leaseToken, WorkerProgress progress, double leaseSeconds, CancellationToken cancellationToken) =>
        PostAsync(taskId, "progress", new { leaseToken, message = progress.Message, percent = progress.Percent, leaseSeconds }, cancellationToken);

    public Task<LeaseAnswer> CompleteAsync(string taskId, string leaseToken, JsonElement result, CancellationToken cancellationToken) =>
        PostAsync(taskId, "complete", new { leaseToken, result }, cancellationToken);

    public Task<LeaseAnswer> FailAsync(string taskId, string leaseToken, string code, string message, bool transient, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        PostAsync(taskId, "fail", new { leaseToken, code, message, transient, retryAfterSeconds = retryAfter?.TotalSeconds }, cancellationToken);

    private async Task<LeaseAnswer> PostAsync(string taskId, string call, object body, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync($"api/tasks/{Uri.EscapeDataString(taskId)}/{call}", body, Json, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? LeaseAnswer.Ok
                : response.StatusCode == HttpStatusCode.Conflict ? LeaseAnswer.Gone
                : LeaseAnswer.Failed;
        }
        catch (HttpRequestException)
        {
            return LeaseAnswer.Failed;
        }
    }

    private sealed record LeaseBody(IReadOnlyList<LeasedTask> Tasks);
}

/// <summary>One task of a lease answer.</summary>
public sealed record LeasedTask(
    string TaskId, string Skill, JsonElement Input, int Attempt, string EffectKey, DateTimeOffset Deadline, string LeaseToken, DateTimeOffset LeaseExpiresAt)
{
    public WorkerTask ToWorkerTask() => new(TaskId, Skill, Input, Attempt, EffectKey, Deadline);
}
