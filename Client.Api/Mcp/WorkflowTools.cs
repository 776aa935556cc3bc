using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace OrleansAgents.Api.Mcp;

/// <summary>Workflows and their runs as MCP tools; each one is the /api endpoint named in its call.</summary>
[McpServerToolType]
public static class WorkflowTools
{
    [McpServerTool(Name = "search_workflows", Title = "Search workflows", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Find workflow definitions: full-text search of name and goal with q (ranked), or list by status and creator. "
        + "Pass nextCursor as cursor for the next page. Needs workflow:read. Same as GET /api/workflows.")]
    public static Task<CallToolResult> SearchWorkflowsAsync(
        ApiEndpointInvoker api,
        [Description("Search text (1-500 characters) matched against name and goal.")] string? q = null,
        [Description("Only workflows in this status: created, validated, staged, active, archived or failed.")] string? status = null,
        [Description("Only workflows created by this user.")] string? createdBy = null,
        [Description("Page size, 1 to 200 (default 50).")] int? limit = null,
        [Description("nextCursor of the previous page; leave out for the first page.")] string? cursor = null,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("SearchWorkflows", Query: new Dictionary<string, string?>
        {
            ["q"] = q,
            ["status"] = status,
            ["createdBy"] = createdBy,
            ["limit"] = AgentTools.Number(limit),
            ["cursor"] = cursor,
        }), cancellationToken);

    [McpServerTool(Name = "start_workflow_run", Title = "Start a workflow run", Destructive = false, OpenWorld = false)]
    [Description("Start a run of a workflow's latest version. Returns at once with the run id and status: poll get_workflow_run until the status is "
        + "succeeded, failed or cancelled (waiting means a step needs approve_workflow_step or reject_workflow_step). "
        + "Production runs need an active workflow, staging runs a staged one. With an idempotencyKey a resend returns the first run. "
        + "Needs workflow:execute. Same as POST /api/workflows/{id}/runs.")]
    public static Task<CallToolResult> StartWorkflowRunAsync(
        ApiEndpointInvoker api,
        [Description("The workflow's id.")] string workflowId,
        [Description("test, staging or production.")] string mode,
        [Description("The run's input: a JSON object matching the workflow's input schema.")] JsonElement? input = null,
        [Description("A key of your choosing (1-200 printable ASCII) that makes resending this start safe.")] string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["mode"] = mode };
        if (input is { ValueKind: not JsonValueKind.Undefined } value)
        {
            body["input"] = JsonNode.Parse(value.GetRawText());
        }

        return api.InvokeAsync(new ApiCall("StartWorkflowRun", Route: new Dictionary<string, string?> { ["id"] = workflowId }, Body: body,
            Headers: new Dictionary<string, string?> { ["Idempotency-Key"] = idempotencyKey }), cancellationToken);
    }

    [McpServerTool(Name = "get_workflow_run", Title = "Get a workflow run", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Get a run with its steps: status (running, waiting, succeeded, failed, cancelled), each step's state, task, attempts, timings and output. "
        + "Needs workflow:read. Same as GET /api/runs/{runId}.")]
    public static Task<CallToolResult> GetWorkflowRunAsync(
        ApiEndpointInvoker api,
        [Description("The run id returned by start_workflow_run.")] string runId,
        CancellationToken cancellationToken = default) =>
        api.InvokeAsync(new ApiCall("GetWorkflowRun", Route: new Dictionary<string, string?> { ["runId"] = runId }), cancellationToken);

    [McpServerTool(Name = "approve_workflow_step", Title = "Approve a waiting step", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Approve a step that waits at its approval gate; the run goes on. Recorded in the audit log with your name. "
        + "Needs workflow:approve, and someone else must have started the run. Same as POST /api/runs/{runId}/steps/{stepId}/approve.")]
    public static Task<CallToolResult> ApproveWorkflowStepAsync(
        ApiEndpointInvoker api,
        [Description("The run id.")] string runId,
        [Description("The id of the step waiting for approval.")] string stepId,
        [Description("Why (at most 2000 characters).")] string? comment = null,
        CancellationToken cancellationToken = default) =>
        DecideAsync(api, "ApproveWorkflowStep", runId, stepId, comment, cancellationToken);

    [McpServerTool(Name = "reject_workflow_step", Title = "Reject a waiting step", Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Reject a step that waits at its approval gate; the run fails. Recorded in the audit log with your name. "
        + "Needs workflow:approve, and someone else must have started the run. Same as POST /api/runs/{runId}/steps/{stepId}/reject.")]
    public static Task<CallToolResult> RejectWorkflowStepAsync(
        ApiEndpointInvoker api,
        [Description("The run id.")] string runId,
        [Description("The id of the step waiting for approval.")] string stepId,
        [Description("Why (at most 2000 characters).")] string? comment = null,
        CancellationToken cancellationToken = default) =>
        DecideAsync(api, "RejectWorkflowStep", runId, stepId, comment, cancellationToken);

    private static Task<CallToolResult> DecideAsync(ApiEndpointInvoker api, string endpoint, string runId, string stepId, string? comment, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        AgentTools.Put(body, "comment", comment);
        return api.InvokeAsync(new ApiCall(endpoint, Route: new Dictionary<string, string?> { ["runId"] = runId, ["stepId"] = stepId }, Body: body),
            cancellationToken);
    }
}
