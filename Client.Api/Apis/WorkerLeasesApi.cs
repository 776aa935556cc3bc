using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// The external-worker protocol (docs/api.md, "External agents"): a worker long-polls for its
/// agent's tasks, gets each with a fencing lease token, and renews, reports progress, completes or
/// fails under that token. A stale token answers 409 <c>task.lease_lost</c> or <c>task.cancelled</c>.
/// </summary>
public static partial class WorkerLeasesApi
{
    public const int MaxTasksPerLease = 100;
    public const double MaxWaitSeconds = 30;
    public const double DefaultLeaseSeconds = 30;
    public const double MinLeaseSeconds = 1;
    public const double MaxLeaseSeconds = 600;
    public const int MaxMessageLength = 2000;
    public const int MaxLeaseTokenLength = 100;

    /// <summary>
    /// Leased tasks carry other people's inputs, so only the agent's owner (who registered it) or a
    /// holder of task:manage-any may take its work; an unknown agent is left to the grain's 404.
    /// The later lease calls are fenced by the lease token the owner's worker received.
    /// </summary>
    private static async Task<ProblemHttpResult?> DenyLeaseAsync(string id, HttpContext http, IGrainFactory grains)
    {
        // A worker key was checked against the agent's owner when it was created.
        if (WorkerScope.IsScoped(http))
        {
            return WorkerScope.Deny(http, id);
        }

        if (Ownership.Holds(http, Permissions.TaskManageAny))
        {
            return null;
        }

        var agent = await grains.GetGrain<IAgentGrain>(id).GetAsync();
        return agent is null || Ownership.Owns(http, AgentOwnership.OwnerOf(agent))
            ? null
            : ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                $"Only the owner of agent '{id}' leases its tasks; others need the permission '{Permissions.TaskManageAny}'.");
    }

    public static IEndpointRouteBuilder MapWorkerLeasesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/agents/{id}/leases", LeaseAsync).WithTags("External agents").ValidatesId(RouteId.Agent)
            .WithName("LeaseAgentTasks").RequireWorker(WorkerScope.ExecutePolicy, Permissions.AgentExecute)
            .WithSummary("Long-poll for up to max queued tasks of an external agent, each with a lease token (counts as its heartbeat)");

        var leased = app.MapGroup("/tasks/{id}").WithTags("External agents").ValidatesId(RouteId.Task)
            .WithMetadata(new RequestSizeLimitAttribute(TasksApi.MaxBodyBytes));
        leased.MapPost("/lease:renew", RenewAsync).WithName("RenewTaskLease").RequireWorker(WorkerScope.ExecutePolicy, Permissions.AgentExecute)
            .WithSummary("Extend the lease on a task's running attempt");
        leased.MapPost("/complete", CompleteAsync).WithName("CompleteLeasedTask").RequireWorker(WorkerScope.ExecutePolicy, Permissions.AgentExecute)
            .WithSummary("Report a leased attempt's result; the task succeeds");
        leased.MapPost("/fail", FailAsync).WithName("FailLeasedTask").RequireWorker(WorkerScope.ExecutePolicy, Permissions.AgentExecute)
            .WithSummary("Report a leased attempt's failure; a transient one is retried while attempts last");
        leased.MapPost("/progress", ProgressAsync).WithName("ReportLeasedTaskProgress").RequireWorker(WorkerScope.ExecutePolicy, Permissions.AgentExecute)
            .WithSummary("Add a progress event to the task's stream (and renew the lease)");
        return app;
    }

    private static async Task<Results<Ok<LeaseResponse>, ProblemHttpResult>> LeaseAsync(
        string id, LeaseRequest body, IGrainFactory grains, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (await DenyLeaseAsync(id, http, grains) is { } denied)
        {
            return denied;
        }

        var max = body.Max ?? 1;
        if (max is < 1 or > MaxTasksPerLease)
        {
            return Invalid($"max must be between 1 and {MaxTasksPerLease}.");
        }

        var waitSeconds = body.WaitSeconds ?? 0;
        if (!double.IsFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > MaxWaitSeconds)
        {
            return Invalid($"waitSeconds must be between 0 and {MaxWaitSeconds}.");
        }

        if (!TryLeaseDuration(body.LeaseSeconds, out var leaseDuration, out var badLease))
        {
            return badLease;
        }

        if (body.Skills is { } skills && (skills.Count > 64 || skills.Any(s => !TaskRules.IsValidSkillName(s))))
        {
            return Invalid($"skills must be at most 64 skill names matching {TaskRules.SkillPattern}.");
        }

        var agent = grains.GetGrain<IAgentLeases>(id);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(waitSeconds);
        var granted = new List<LeasedTaskResponse>();
        try
        {
            while (true)
            {
                var ids = await agent.TakeForLeaseAsync(max - granted.Count, body.Skills);
                // Not cancelled once taken: a taken id that is never leased waits for the watchdog to bring it back.
                var grants = await Task.WhenAll(ids.Select(t =>
                    grains.GetGrain<ITaskLeases>(t).AcquireLeaseAsync(id, body.Skills, leaseDuration)));
                granted.AddRange(grants.OfType<TaskLeaseGrant>().Select(LeasedTaskResponse.From));
                var left = deadline - time.GetUtcNow();
                if (granted.Count > 0 || left <= TimeSpan.Zero)
                {
                    break;
                }

                await agent.WaitForWorkAsync(left, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The worker went away while waiting; nothing was leased to it in this round.
        }

        return TypedResults.Ok(new LeaseResponse(granted));
    }

    private static async Task<Results<Ok<LeaseRenewalResponse>, ProblemHttpResult>> RenewAsync(string id, LeaseRenewRequest body, IGrainFactory grains, HttpContext http)
    {
        if (Check(id, body.LeaseToken) is { } bad)
        {
            return bad;
        }

        if (await WorkerScope.DenyTaskAsync(http, grains, id) is { } outOfScope)
        {
            return outOfScope;
        }

        if (!TryLeaseDuration(body.LeaseSeconds, out var duration, out var badLease))
        {
            return badLease;
        }

        return TypedResults.Ok(LeaseRenewalResponse.From(await grains.GetGrain<ITaskLeases>(id).RenewLeaseAsync(body.LeaseToken!, duration)));
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> CompleteAsync(string id, LeaseCompleteRequest body, IGrainFactory grains, HttpContext http)
    {
        if (Check(id, body.LeaseToken) is { } bad)
        {
            return bad;
        }

        if (await WorkerScope.DenyTaskAsync(http, grains, id) is { } outOfScope)
        {
            return outOfScope;
        }

        if (body.Result is not { ValueKind: not System.Text.Json.JsonValueKind.Undefined } result)
        {
            return Invalid("result is required (any JSON value; null is allowed).");
        }

        return TypedResults.Ok(TaskResponse.From(await grains.GetGrain<ITaskLeases>(id).CompleteLeaseAsync(body.LeaseToken!, result.GetRawText())));
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> FailAsync(string id, LeaseFailRequest body, IGrainFactory grains, HttpContext http)
    {
        if (Check(id, body.LeaseToken) is { } bad)
        {
            return bad;
        }

        if (await WorkerScope.DenyTaskAsync(http, grains, id) is { } outOfScope)
        {
            return outOfScope;
        }

        if (body.Code is null || !ErrorCodeRegex().IsMatch(body.Code))
        {
            return Invalid("code is required: 1 to 64 characters of a-z, 0-9, '.', '_' or '-', e.g. \"worker.timeout\".");
        }

        if (body.Message is null || body.Message.Length > MaxMessageLength)
        {
            return Invalid($"message is required, at most {MaxMessageLength} characters.");
        }

        TimeSpan? retryAfter = null;
        if (body.RetryAfterSeconds is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds < 0 || seconds > 86400)
            {
                return Invalid("retryAfterSeconds must be between 0 and 86400.");
            }

            retryAfter = TimeSpan.FromSeconds(seconds);
        }

        var error = new TaskError(body.Code, body.Message, body.Transient ?? false);
        return TypedResults.Ok(TaskResponse.From(await grains.GetGrain<ITaskLeases>(id).FailLeaseAsync(body.LeaseToken!, error, retryAfter)));
    }

    private static async Task<Results<Ok<LeaseRenewalResponse>, ProblemHttpResult>> ProgressAsync(string id, LeaseProgressRequest body, IGrainFactory grains, HttpContext http)
    {
        if (Check(id, body.LeaseToken) is { } bad)
        {
            return bad;
        }

        if (await WorkerScope.DenyTaskAsync(http, grains, id) is { } outOfScope)
        {
            return outOfScope;
        }

        if (body.Message is null || body.Message.Length > MaxMessageLength)
        {
            return Invalid($"message is required, at most {MaxMessageLength} characters.");
        }

        if (body.Percent is { } percent && (!double.IsFinite(percent) || percent < 0 || percent > 100))
        {
            return Invalid("percent must be between 0 and 100.");
        }

        if (!TryLeaseDuration(body.LeaseSeconds, out var duration, out var badLease))
        {
            return badLease;
        }

        return TypedResults.Ok(LeaseRenewalResponse.From(
            await grains.GetGrain<ITaskLeases>(id).ReportProgressAsync(body.LeaseToken!, body.Message, body.Percent, duration)));
    }

    private static ProblemHttpResult? Check(string id, string? leaseToken)
    {
        return string.IsNullOrEmpty(leaseToken) || leaseToken.Length > MaxLeaseTokenLength
            ? Invalid("leaseToken is required: the token the lease call answered with.")
            : null;
    }

    private static bool TryLeaseDuration(double? seconds, out TimeSpan duration, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        var value = seconds ?? DefaultLeaseSeconds;
        duration = TimeSpan.FromSeconds(double.IsFinite(value) ? Math.Clamp(value, MinLeaseSeconds, MaxLeaseSeconds) : DefaultLeaseSeconds);
        problem = null;
        if (!double.IsFinite(value) || value < MinLeaseSeconds || value > MaxLeaseSeconds)
        {
            problem = Invalid($"leaseSeconds must be between {MinLeaseSeconds} and {MaxLeaseSeconds}.");
            return false;
        }

        return true;
    }

    private static ProblemHttpResult Invalid(string detail) => ProblemResults.Invalid(ErrorCodes.LeaseInvalidRequest, detail);

    [GeneratedRegex("^[a-z0-9_.-]{1,64}$")]
    private static partial Regex ErrorCodeRegex();
}
