using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

/// <summary>Workflow definitions and their lifecycle under /api/workflows; runs under /api/runs.</summary>
public static class WorkflowsApi
{
    /// <summary>Definitions and run inputs are limited by WorkflowRules (256 KiB each); the body may hold a little more.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/workflows")
            .WithTags("Workflows")
            .ValidatesId(RouteId.Workflow)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        workflows.MapPost("/", CreateAsync).WithName("CreateWorkflow").RequirePermission(Permissions.WorkflowCreate)
            .WithSummary("Create a workflow (validated; refused with every finding when invalid)");
        workflows.MapGet("/", SearchAsync).WithName("SearchWorkflows").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("List workflows by status and creator, or full-text search name and goal with q (ranked)");
        workflows.MapGet("/statistics", StatisticsAsync).WithName("WorkflowStatistics").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("Workflows by status, runs by mode and status, success rate, run duration p50/p95, most failures");
        workflows.MapGet("/{id}", GetAsync).WithName("GetWorkflow").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("Get a workflow (latest version, or ?version=N)");
        workflows.MapPut("/{id}", UpdateAsync).WithName("UpdateWorkflow").RequirePermission(Permissions.WorkflowUpdate)
            .WithSummary("Edit a workflow: stores a new version and returns it to created");
        workflows.MapDelete("/{id}", DeleteAsync).WithName("DeleteWorkflow").RequirePermission(Permissions.WorkflowDelete)
            .WithSummary("Delete a workflow that has no unfinished runs");
        workflows.MapPost("/{id}/validate", ValidateAsync).WithName("ValidateWorkflow").RequirePermission(Permissions.WorkflowUpdate)
            .WithSummary("Validate against the live cluster: validated, or failed with the findings stored");
        workflows.MapPost("/{id}/stage", (string id, HttpContext http, IGrainFactory grains) => TransitionAsync(id, WorkflowStatus.Staged, http, grains))
            .WithName("StageWorkflow").RequirePermission(Permissions.WorkflowDeploy).WithSummary("validated → staged");
        workflows.MapPost("/{id}/activate", (string id, HttpContext http, IGrainFactory grains) => TransitionAsync(id, WorkflowStatus.Active, http, grains))
            .WithName("ActivateWorkflow").RequirePermission(Permissions.WorkflowDeploy).WithSummary("staged → active (production runs allowed)");
        workflows.MapPost("/{id}/archive", (string id, HttpContext http, IGrainFactory grains) => TransitionAsync(id, WorkflowStatus.Archived, http, grains))
            .WithName("ArchiveWorkflow").RequirePermission(Permissions.WorkflowDeploy).WithSummary("Archive a workflow: no more runs or edits");
        workflows.MapPost("/{id}/runs", StartRunAsync).WithName("StartWorkflowRun").RequirePermission(Permissions.WorkflowExecute)
            .WithSummary("Start a run of the latest version (mode test, staging or production; input checked against the schema)");
        workflows.MapGet("/{id}/runs", ListRunsAsync).WithName("ListWorkflowRuns").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("A workflow's runs, newest first, filtered by status");

        var runs = app.MapGroup("/runs")
            .WithTags("Workflows")
            .ValidatesId(RouteId.WorkflowRun)
            .WithMetadata(new RequestSizeLimitAttribute(64 * 1024));
        runs.MapGet("/{runId}", GetRunAsync).WithName("GetWorkflowRun").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("A run with its steps: state, task, attempts, timings, outputs");
        runs.MapPost("/{runId}/cancel", CancelRunAsync).WithName("CancelWorkflowRun").RequirePermission(Permissions.WorkflowExecute)
            .WithSummary("Cancel a run and its outstanding steps");
        runs.MapPost("/{runId}/steps/{stepId}/approve", (string runId, string stepId, WorkflowDecisionRequest? body, HttpContext http, IGrainFactory grains, IOptions<WorkflowApprovalOptions> approvals) =>
                DecideAsync(runId, stepId, approve: true, body, http, grains, approvals.Value))
            .WithName("ApproveWorkflowStep").RequirePermission(Permissions.WorkflowApprove).WithSummary("Approve a step waiting at its approval gate");
        runs.MapPost("/{runId}/steps/{stepId}/reject", (string runId, string stepId, WorkflowDecisionRequest? body, HttpContext http, IGrainFactory grains, IOptions<WorkflowApprovalOptions> approvals) =>
                DecideAsync(runId, stepId, approve: false, body, http, grains, approvals.Value))
            .WithName("RejectWorkflowStep").RequirePermission(Permissions.WorkflowApprove).WithSummary("Reject a waiting step: the run fails");
        runs.MapGet("/{runId}/events", EventsAsync).WithName("WatchWorkflowRun").RequirePermission(Permissions.WorkflowRead)
            .WithSummary("Server-Sent Events: run and step changes until the run finishes");
        return app;
    }

    private static async Task<Results<Created<WorkflowResponse>, ProblemHttpResult>> CreateAsync(WorkflowRequest body, HttpContext http, IGrainFactory grains)
    {
        var id = body.Id ?? "wf-" + IdEncoding.Base32(RandomNumberGenerator.GetBytes(17))[..16];
        if (!WorkflowRules.IsValidId(id))
        {
            return RouteId.Workflow.Invalid();
        }

        if (body.ExpectedVersion is not null)
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "expectedVersion is for updates (PUT); leave it out when creating.");
        }

        var view = await grains.GetGrain<IWorkflowGrain>(id).CreateAsync(body.ToDefinition(), Who(http));
        return TypedResults.Created($"/api/workflows/{id}", WorkflowResponse.From(view));
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> GetAsync(string id, string? version, IGrainFactory grains)
    {
        int? pinned = null;
        if (version is not null)
        {
            if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                return ProblemResults.Invalid(ErrorCodes.InvalidQuery, "version must be a positive whole number.");
            }

            pinned = v;
        }

        return await grains.GetGrain<IWorkflowGrain>(id).GetAsync(pinned) is { } view ? TypedResults.Ok(WorkflowResponse.From(view)) : NotFound(id);
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> UpdateAsync(string id, WorkflowRequest body, HttpContext http, IGrainFactory grains)
    {
        if (body.Id is not null && body.Id != id)
        {
            return ProblemResults.Invalid(ErrorCodes.WorkflowInvalidId, "The workflow is named by the path; the body's id must match it or be left out.");
        }

        var view = await grains.GetGrain<IWorkflowGrain>(id).UpdateAsync(body.ToDefinition(), body.ExpectedVersion, Who(http));
        return TypedResults.Ok(WorkflowResponse.From(view));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext http, IGrainFactory grains)
    {
        await grains.AuditedAsync(http, AuditActions.WorkflowDeleted, id, null, async () =>
        {
            await grains.GetGrain<IWorkflowGrain>(id).DeleteAsync(Who(http));
            return true;
        });
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> ValidateAsync(string id, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(WorkflowResponse.From(await grains.GetGrain<IWorkflowGrain>(id).ValidateAsync(Who(http))));

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> TransitionAsync(string id, WorkflowStatus target, HttpContext http, IGrainFactory grains)
    {
        var action = target switch
        {
            WorkflowStatus.Staged => AuditActions.WorkflowStaged,
            WorkflowStatus.Active => AuditActions.WorkflowActivated,
            _ => AuditActions.WorkflowArchived,
        };
        var view = await grains.AuditedAsync(http, action, id, null, () => grains.GetGrain<IWorkflowGrain>(id).TransitionAsync(target, Who(http)));
        return TypedResults.Ok(WorkflowResponse.From(view));
    }

    private static async Task<Results<Ok<WorkflowListResponse>, ProblemHttpResult>> SearchAsync(
        string? status, string? createdBy, string? q, [AsParameters] PageRequest paging, IGrainFactory grains)
    {
        WorkflowStatus? filter = null;
        if (status is not null)
        {
            if (ParseLower<WorkflowStatus>(status) is not { } parsed)
            {
                return ProblemResults.Invalid(ErrorCodes.InvalidQuery, $"status must be one of {WireNames.List<WorkflowStatus>()}.");
            }

            filter = parsed;
        }

        if (createdBy is { Length: 0 or > 200 })
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidQuery, "createdBy must be 1 to 200 characters.");
        }

        if (q is not null && (string.IsNullOrWhiteSpace(q) || q.Length > 500))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidQuery, "q must be 1 to 500 characters of search text.");
        }

        if (!paging.TrySize(WorkflowRules.DefaultPageSize, WorkflowRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        var page = await grains.GetGrain<IWorkflowQueryGrain>(0).SearchAsync(new WorkflowSearch(filter, createdBy, q, pageSize, paging.Cursor));
        return TypedResults.Ok(new WorkflowListResponse(page.Items, page.NextCursor));
    }

    private static async Task<Ok<WorkflowStatistics>> StatisticsAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IWorkflowQueryGrain>(0).StatisticsAsync());

    private static async Task<Results<Accepted<WorkflowRunResponse>, ProblemHttpResult>> StartRunAsync(
        string id, WorkflowRunRequestBody body, HttpContext http, IGrainFactory grains)
    {
        if (body.Mode is not { } mode)
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "mode is required: test, staging or production.");
        }

        if (!IdempotencyKey.TryRead(http, out var key, out var badKey))
        {
            return badKey;
        }

        var input = WorkflowRequest.Raw(body.Input) ?? "{}";
        var run = await grains.GetGrain<IWorkflowGrain>(id).StartRunAsync(new WorkflowRunRequest(mode, input, Who(http), key));
        return TypedResults.Accepted($"/api/runs/{run.RunId}", WorkflowRunResponse.From(run));
    }

    private static async Task<Results<Ok<WorkflowRunListResponse>, ProblemHttpResult>> ListRunsAsync(
        string id, string? status, [AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        WorkflowRunStatus? filter = null;
        if (status is not null)
        {
            if (ParseLower<WorkflowRunStatus>(status) is not { } parsed)
            {
                return ProblemResults.Invalid(ErrorCodes.InvalidQuery, $"status must be one of {WireNames.List<WorkflowRunStatus>()}.");
            }

            filter = parsed;
        }

        if (!paging.TrySize(WorkflowRules.DefaultPageSize, WorkflowRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        if (await grains.GetGrain<IWorkflowGrain>(id).GetAsync(null) is null)
        {
            return NotFound(id);
        }

        var page = await grains.GetGrain<IWorkflowQueryGrain>(0).ListRunsAsync(id, filter, pageSize, paging.Cursor);

        // Without workflow:read-any only the caller's own runs (a page may then be short; follow nextCursor).
        var items = Ownership.Holds(http, Permissions.WorkflowRunReadAny) ? page.Items : [.. page.Items.Where(r => Ownership.Owns(http, r.StartedBy))];
        return TypedResults.Ok(new WorkflowRunListResponse(items, page.NextCursor));
    }

    private static async Task<Results<Ok<WorkflowRunResponse>, ProblemHttpResult>> GetRunAsync(string runId, HttpContext http, IGrainFactory grains)
    {
        return await grains.GetGrain<IWorkflowRunGrain>(runId).GetAsync() is { } run && Ownership.May(http, run.StartedBy, Permissions.WorkflowRunReadAny)
            ? TypedResults.Ok(WorkflowRunResponse.From(run))
            : RunNotFound(runId);
    }

    private static async Task<Results<Ok<WorkflowRunResponse>, ProblemHttpResult>> CancelRunAsync(string runId, HttpContext http, IGrainFactory grains)
    {
        if (await grains.GetGrain<IWorkflowRunGrain>(runId).GetAsync() is not { } current)
        {
            return RunNotFound(runId);
        }

        if (Ownership.Deny(http, current.StartedBy, Permissions.WorkflowRunReadAny, Permissions.WorkflowRunManageAny, () => RunNotFound(runId)) is { } denied)
        {
            return denied;
        }

        var run = await grains.AuditedAsync(http, AuditActions.WorkflowRunCancelled, runId, null,
            () => grains.GetGrain<IWorkflowRunGrain>(runId).CancelAsync(Who(http)));
        return TypedResults.Ok(WorkflowRunResponse.From(run));
    }

    private static async Task<Results<Ok<WorkflowRunResponse>, ProblemHttpResult>> DecideAsync(
        string runId, string stepId, bool approve, WorkflowDecisionRequest? body, HttpContext http, IGrainFactory grains, WorkflowApprovalOptions approvals)
    {
        if (!WorkflowRules.IsValidStepId(stepId))
        {
            return ProblemResults.Invalid(ErrorCodes.WorkflowStepNotFound, $"Step ids must match {WorkflowRules.StepIdPattern}.");
        }

        if (body?.Comment is { Length: > 2000 })
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "comment is at most 2000 characters.");
        }

        // Deciding a gate is acting on the run: the same visibility as cancel (404 when the caller
        // may not see it, 403 when it may see but not act), then separation of duties.
        if (await grains.GetGrain<IWorkflowRunGrain>(runId).GetAsync() is not { } current)
        {
            return RunNotFound(runId);
        }

        if (Ownership.Deny(http, current.StartedBy, Permissions.WorkflowRunReadAny, Permissions.WorkflowRunManageAny, () => RunNotFound(runId)) is { } denied)
        {
            return denied;
        }

        if (!approvals.AllowSelfApproval && string.Equals(current.StartedBy, Who(http), StringComparison.Ordinal))
        {
            return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.WorkflowSelfApproval,
                "You started this run, so someone else must approve or reject its gates (Workflows:AllowSelfApproval is off).");
        }

        var run = await grains.AuditedAsync(http, approve ? AuditActions.WorkflowStepApproved : AuditActions.WorkflowStepRejected, $"{runId}/{stepId}", null,
            () => grains.GetGrain<IWorkflowRunGrain>(runId).DecideAsync(stepId, approve, Who(http), body?.Comment));
        return TypedResults.Ok(WorkflowRunResponse.From(run));
    }

    private static async Task<Results<ServerSentEventsResult<WorkflowRunEventResponse>, ProblemHttpResult>> EventsAsync(
        string runId, HttpContext http, IGrainFactory grains)
    {
        if (!EventStreams.TryResumeAfter(http, out var after, out var badHeader))
        {
            return badHeader!;
        }

        var run = grains.GetGrain<IWorkflowRunGrain>(runId);
        if (await run.GetAsync() is not { } view || !Ownership.May(http, view.StartedBy, Permissions.WorkflowRunReadAny))
        {
            return RunNotFound(runId);
        }

        if (!EventStreams.TryOpen(http, out var streamEnds, out var tooMany))
        {
            return tooMany!;
        }

        return TypedResults.ServerSentEvents(EventStreams.FollowAsync<WorkflowRunEvent, WorkflowRunEventResponse>(
            async (after, wait, cancellationToken) =>
            {
                var batch = await run.WaitForEventsAsync(after, wait, cancellationToken);
                return (batch.Events, batch.Finished);
            },
            e => (e.Sequence, WorkflowRunEventResponse.From(e), e.Type == WorkflowRunEventType.Run ? "run" : "step"),
            after,
            streamEnds));
    }

    private static T? ParseLower<T>(string value)
        where T : struct, Enum =>
        value.Length > 0 && value.All(c => c is >= 'a' and <= 'z') && Enum.TryParse<T>(value, ignoreCase: true, out var parsed) ? parsed : null;

    private static string Who(HttpContext http) => Audit.ActorOf(http);

    private static ProblemHttpResult NotFound(string id) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.WorkflowNotFound, $"Workflow '{id}' does not exist.");

    private static ProblemHttpResult RunNotFound(string runId) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.WorkflowRunNotFound, $"Run '{runId}' does not exist.");
}
