using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class TasksApi
{
    /// <summary>Task bodies carry skill inputs; the silos enforce Tasks:MaxInputBytes on the input itself.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks")
            .WithTags("Tasks")
            .ValidatesId(RouteId.Task)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        tasks.MapPost("/", SubmitRoutedAsync).WithName("SubmitTask").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Submit a task to the best available agent with a capability (or to an agent by id)");
        tasks.MapGet("/dead-letters", DeadLettersAsync).WithName("ListDeadLetters").RequirePermission(Permissions.AgentRead).WithSummary("Tasks that used up their attempts, newest first");
        tasks.MapGet("/throughput", ThroughputAsync).WithName("GetTaskThroughput").RequirePermission(Permissions.AgentRead)
            .WithSummary("Tasks finished per second across the cluster over the last minute (from every silo's reports)");
        tasks.MapGet("/{id}", GetAsync).WithName("GetTask").RequirePermission(Permissions.AgentRead).WithSummary("Get a task with its attempts and result");
        tasks.MapPost("/{id}/cancel", CancelAsync).WithName("CancelTask").RequirePermission(Permissions.AgentExecute).WithSummary("Cancel a queued or running task");
        tasks.MapPost("/{id}/requeue", RequeueAsync).WithName("RequeueTask").RequirePermission(Permissions.AgentExecute)
            .WithSummary("Queue a failed, dead-lettered or cancelled task again with a fresh attempt budget");
        tasks.MapGet("/{id}/events", EventsAsync).WithName("WatchTask").RequirePermission(Permissions.AgentRead)
            .WithSummary("Server-Sent Events: state changes, attempts and the result, until the task finishes");

        var agentTasks = app.MapGroup("/agents/{id}/tasks")
            .WithTags("Tasks")
            .ValidatesId(RouteId.Agent)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        agentTasks.MapPost("/", SubmitToAgentAsync).WithName("SubmitAgentTask").RequirePermission(Permissions.AgentExecute).WithSummary("Submit a task to one agent");
        agentTasks.MapGet("/", ListForAgentAsync).WithName("ListAgentTasks").RequirePermission(Permissions.AgentRead).WithSummary("An agent's tasks, newest first, filtered by state");

        app.MapGet("/skills", SkillsAsync).WithTags("Tasks").WithName("ListSkills").RequirePermission(Permissions.AgentRead).WithSummary("The skills tasks can use, with input schemas");
        return app;
    }

    private static Task<Results<Accepted<TaskResponse>, Ok<TaskResponse>, ProblemHttpResult>> SubmitToAgentAsync(
        string id, TaskRequest body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner)
    {
        if (body.Capability is not null || (body.AgentId is not null && body.AgentId != id))
        {
            return Task.FromResult<Results<Accepted<TaskResponse>, Ok<TaskResponse>, ProblemHttpResult>>(
                ProblemResults.Invalid(ErrorCodes.TaskInvalidTarget, "The agent is named by the path; leave capability and agentId out of the body."));
        }

        return SubmitAsync(body with { AgentId = id }, http, grains, partitioner);
    }

    private static Task<Results<Accepted<TaskResponse>, Ok<TaskResponse>, ProblemHttpResult>> SubmitRoutedAsync(
        TaskRequest body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner) =>
        SubmitAsync(body, http, grains, partitioner);

    private static async Task<Results<Accepted<TaskResponse>, Ok<TaskResponse>, ProblemHttpResult>> SubmitAsync(
        TaskRequest body, HttpContext http, IGrainFactory grains, IRateLimitPartitioner partitioner)
    {
        if ((body.AgentId is null) == (body.Capability is null))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidTarget, "Give exactly one of capability (routed to the best agent) or agentId.");
        }

        if (body.AgentId is not null && !AgentRules.IsValidId(body.AgentId))
        {
            return RouteId.Agent.Invalid();
        }

        if (body.Capability is not null && !AgentRules.IsValidCapability(body.Capability))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidTarget, $"capability must match {AgentRules.CapabilityPattern}.");
        }

        if (!TaskRules.IsValidSkillName(body.Skill))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskUnknownSkill, $"skill is required and must match {TaskRules.SkillPattern}; GET /api/skills lists them.");
        }

        if (body.Input is not { ValueKind: not System.Text.Json.JsonValueKind.Undefined } input)
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidInput, "input is required (any JSON value the skill accepts).");
        }

        if (!TryDuration(body.TimeoutSeconds, out var timeout) || !TryDuration(body.HardTimeoutSeconds, out var hardTimeout))
        {
            return ProblemResults.Invalid(ErrorCodes.TaskInvalidTimeout, "timeoutSeconds and hardTimeoutSeconds must be positive numbers of seconds.");
        }

        if (!IdempotencyKey.TryRead(http, out var key, out var badKey))
        {
            return badKey;
        }

        var submittedBy = partitioner.GetPartitionKey(http, out _) ?? ClientPartitioner.Anonymous;
        var taskId = key is null ? TaskRules.NewId() : TaskRules.IdForIdempotencyKey(submittedBy, key);
        var submission = new TaskSubmission(body.AgentId, body.Capability, body.Skill, input.GetRawText(),
            body.Priority ?? TaskPriority.Default, timeout, hardTimeout, body.MaxAttempts, key, submittedBy);
        var accepted = await grains.GetGrain<ITaskGrain>(taskId).SubmitAsync(submission);
        var response = TaskResponse.From(accepted.Task);
        http.Response.Headers.Location = $"/api/tasks/{taskId}";
        return accepted.Existing ? TypedResults.Ok(response) : TypedResults.Accepted($"/api/tasks/{taskId}", response);
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext http, IGrainFactory grains)
    {
        // Someone else's task (its input may hold anything) is not there for a caller without task:read-any.
        return await grains.GetGrain<ITaskGrain>(id).GetAsync() is { } view && Ownership.May(http, view.SubmittedBy, Permissions.TaskReadAny)
            ? TypedResults.Ok(TaskResponse.From(view))
            : NotFound(id);
    }

    private static Task<Results<Ok<TaskResponse>, ProblemHttpResult>> CancelAsync(string id, HttpContext http, IGrainFactory grains) =>
        ActAsync(id, http, grains, task => task.CancelAsync());

    /// <summary>A requeue spends the owner's quotas again, so it is the owner's (or an operator's) call.</summary>
    private static Task<Results<Ok<TaskResponse>, ProblemHttpResult>> RequeueAsync(string id, HttpContext http, IGrainFactory grains) =>
        ActAsync(id, http, grains, task => task.RequeueAsync());

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> ActAsync(
        string id, HttpContext http, IGrainFactory grains, Func<ITaskGrain, Task<TaskView>> act)
    {
        var task = grains.GetGrain<ITaskGrain>(id);
        if (await task.GetAsync() is not { } view)
        {
            return NotFound(id);
        }

        if (Ownership.Deny(http, view.SubmittedBy, Permissions.TaskReadAny, Permissions.TaskManageAny, () => NotFound(id)) is { } denied)
        {
            return denied;
        }

        return TypedResults.Ok(TaskResponse.From(await act(task)));
    }

    /// <summary>Without task:read-any a list holds only the caller's own tasks (a page may then be short; follow nextCursor).</summary>
    private static TaskListResponse Visible(HttpContext http, TaskSummaryPage page) =>
        new(Ownership.Holds(http, Permissions.TaskReadAny) ? page.Items : [.. page.Items.Where(t => Ownership.Owns(http, t.SubmittedBy))], page.NextCursor);

    private static async Task<Results<Ok<TaskListResponse>, ProblemHttpResult>> ListForAgentAsync(
        string id, string? state, [AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        TaskState? filter = null;
        if (state is not null)
        {
            if (WireNames.Parse<TaskState>(state) is not { } parsed)
            {
                return ProblemResults.Invalid(ErrorCodes.TaskInvalidState, $"state must be one of {WireNames.List<TaskState>()}.");
            }

            filter = parsed;
        }

        if (!paging.TrySize(TaskRules.DefaultPageSize, TaskRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        if (await grains.GetGrain<IAgentGrain>(id).GetAsync() is null)
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.AgentNotFound, $"Agent '{id}' is not registered.");
        }

        var page = await grains.GetGrain<IAgentTaskLogGrain>(id).ListAsync(filter, pageSize, paging.Cursor);
        return TypedResults.Ok(Visible(http, page));
    }

    private static async Task<Ok<TaskThroughputView>> ThroughputAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITaskThroughputGrain>(0).GetAsync());

    private static async Task<Results<Ok<TaskListResponse>, ProblemHttpResult>> DeadLettersAsync([AsParameters] PageRequest paging, HttpContext http, IGrainFactory grains)
    {
        if (!paging.TrySize(TaskRules.DefaultPageSize, TaskRules.MaxPageSize, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        var page = await grains.GetGrain<IDeadLetterGrain>(0).ListAsync(pageSize, paging.Cursor);
        return TypedResults.Ok(Visible(http, page));
    }

    private static async Task<Results<ServerSentEventsResult<TaskEventResponse>, ProblemHttpResult>> EventsAsync(
        string id, HttpContext http, IGrainFactory grains)
    {
        if (!EventStreams.TryResumeAfter(http, out var after, out var badHeader))
        {
            return badHeader!;
        }

        var task = grains.GetGrain<ITaskGrain>(id);
        if (await task.GetAsync() is not { } view || !Ownership.May(http, view.SubmittedBy, Permissions.TaskReadAny))
        {
            return NotFound(id);
        }

        if (!EventStreams.TryOpen(http, out var streamEnds, out var tooMany))
        {
            return tooMany!;
        }

        return TypedResults.ServerSentEvents(EventStreams.FollowAsync<TaskEvent, TaskEventResponse>(
            async (after, wait, cancellationToken) =>
            {
                var batch = await task.WaitForEventsAsync(after, wait, cancellationToken);
                return (batch.Events, batch.Finished);
            },
            e => (e.Sequence, TaskEventResponse.From(e), e.Type.ToString().ToLowerInvariant()),
            after,
            streamEnds));
    }

    private static async Task<Ok<IReadOnlyList<SkillResponse>>> SkillsAsync(IGrainFactory grains)
    {
        var skills = await grains.GetGrain<ISkillCatalogGrain>(0).ListAsync();
        return TypedResults.Ok<IReadOnlyList<SkillResponse>>(
            [.. skills.Select(s => new SkillResponse(s.Name, s.Description, TaskResponse.Parse(s.InputSchemaJson), s.Capabilities))]);
    }

    private static bool TryDuration(double? seconds, out TimeSpan? duration)
    {
        duration = null;
        if (seconds is null)
        {
            return true;
        }

        if (!double.IsFinite(seconds.Value) || seconds.Value <= 0 || seconds.Value > TimeSpan.FromDays(1).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }

    private static ProblemHttpResult NotFound(string id) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.TaskNotFound, $"Task '{id}' does not exist.");
}
