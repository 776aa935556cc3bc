using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OrleansAgents.Api.A2a;
using OrleansAgents.Api.Errors;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Mcp;

/// <summary>
/// Hosted agents as MCP tools: ask one a question (one conversation turn) and get its final
/// answer. The conversation and message are created by their /api endpoints (same permission,
/// ownership and rate-limit cost); only the bounded wait for the turn is a direct grain call.
/// </summary>
[McpServerToolType]
public static class ConversationTools
{
    public const int DefaultWaitSeconds = 25;
    public const int MaxWaitSeconds = 60;

    [McpServerTool(Name = "ask_agent", Title = "Ask a hosted agent", Destructive = false, OpenWorld = true)]
    [Description("Send a message to a hosted agent (an agent with a model, run by the cluster) and get its final answer: one turn of a conversation you own. "
        + "Waits at most waitSeconds (default 25, at most 60); if the agent is not done by then the result has done=false with conversationId and turnId: "
        + "poll get_agent_answer with them. Give conversationId (from an earlier result) to continue that conversation; the agent remembers it. "
        + "Needs agent:execute. Same as POST /api/agents/{id}/conversations then POST /api/conversations/{id}/messages.")]
    public static async Task<CallToolResult> AskAgentAsync(
        ApiEndpointInvoker api,
        IGrainFactory grains,
        [Description("The hosted agent's id.")] string agentId,
        [Description("The message, 1 to 32000 characters.")] string message,
        [Description("Continue this conversation (conversationId of an earlier answer); leave out to start a new one.")] string? conversationId = null,
        [Description("Seconds to wait for the answer, 0 to 60 (default 25).")] int? waitSeconds = null,
        CancellationToken cancellationToken = default)
    {
        if (Wait(waitSeconds) is not { } wait)
        {
            return WaitOutOfRange();
        }

        if (conversationId is null)
        {
            var started = await api.InvokeAsync(new ApiCall("StartConversation", Route: new Dictionary<string, string?> { ["id"] = agentId }), cancellationToken);
            if (started.IsError == true)
            {
                return started;
            }

            conversationId = started.StructuredContent!.Value.GetProperty("id").GetString()!;
        }
        else
        {
            var existing = await api.InvokeAsync(new ApiCall("GetConversation", Route: new Dictionary<string, string?> { ["id"] = conversationId },
                Query: new Dictionary<string, string?> { ["limit"] = "1" }), cancellationToken);
            if (existing.IsError == true)
            {
                return existing;
            }

            if (existing.StructuredContent!.Value.GetProperty("conversation").GetProperty("agentId").GetString() != agentId)
            {
                return ToolResults.ToolError(ProblemResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
                    $"Conversation '{conversationId}' is with another agent than '{agentId}'."));
            }
        }

        var sent = await api.InvokeAsync(new ApiCall("SendMessage", Route: new Dictionary<string, string?> { ["id"] = conversationId },
            Body: new JsonObject { ["content"] = message }), cancellationToken);
        if (sent.IsError == true)
        {
            return sent;
        }

        var turnId = sent.StructuredContent!.Value.GetProperty("turnId").GetString()!;
        return await AnswerAsync(grains, conversationId, turnId, wait, cancellationToken);
    }

    [McpServerTool(Name = "get_agent_answer", Title = "Get a hosted agent's answer", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("The answer of a turn that ask_agent started: state (queued, running, completed, failed, cancelled), done, answer, error and usage. "
        + "Waits at most waitSeconds (default 25, at most 60) for the turn to finish. Needs agent:read. Same as GET /api/conversations/{id}.")]
    public static async Task<CallToolResult> GetAgentAnswerAsync(
        ApiEndpointInvoker api,
        IGrainFactory grains,
        [Description("conversationId of the ask_agent result.")] string conversationId,
        [Description("turnId of the ask_agent result, e.g. \"1\".")] string turnId,
        [Description("Seconds to wait for the answer, 0 to 60 (default 25).")] int? waitSeconds = null,
        CancellationToken cancellationToken = default)
    {
        if (Wait(waitSeconds) is not { } wait)
        {
            return WaitOutOfRange();
        }

        if (!int.TryParse(turnId, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return ToolResults.ToolError(ProblemResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "turnId is a turn number such as \"1\"."));
        }

        // The endpoint decides whether the caller may read the conversation at all.
        var read = await api.InvokeAsync(new ApiCall("GetConversation", Route: new Dictionary<string, string?> { ["id"] = conversationId },
            Query: new Dictionary<string, string?> { ["limit"] = "1", ["cursor"] = (number - 1).ToString(CultureInfo.InvariantCulture) }), cancellationToken);
        if (read.IsError == true)
        {
            return read;
        }

        var turns = read.StructuredContent!.Value.GetProperty("turns");
        if (turns.GetArrayLength() != 1 || turns[0].GetProperty("id").GetString() != turnId)
        {
            return ToolResults.ToolError(ProblemResults.Create(StatusCodes.Status404NotFound, ErrorCodes.ConversationTurnNotFound,
                $"Conversation '{conversationId}' has no turn '{turnId}'."));
        }

        return await AnswerAsync(grains, conversationId, turnId, wait, cancellationToken);
    }

    private static async Task<CallToolResult> AnswerAsync(IGrainFactory grains, string conversationId, string turnId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<IConversationGrain>(conversationId);
        var view = await grain.GetAsync();
        var turn = await A2aMethods.WaitAsync(grain, turnId, view?.LastEventSequence ?? 0, wait, cancellationToken);
        var done = A2aTasks.IsTerminal(turn.State);
        var answer = new JsonObject
        {
            ["conversationId"] = conversationId,
            ["turnId"] = turnId,
            ["agentId"] = view?.AgentId,
            ["state"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(turn.State.ToString()),
            ["done"] = done,
            ["answer"] = turn.Reply,
            ["error"] = turn.Error is { } e ? new JsonObject { ["code"] = e.Code, ["message"] = e.Message } : null,
            ["usage"] = turn.Usage is { } u ? new JsonObject { ["inputTokens"] = u.InputTokens, ["outputTokens"] = u.OutputTokens, ["modelCalls"] = u.ModelCalls, ["toolCalls"] = u.ToolCalls } : null,
        };
        if (!done)
        {
            answer["next"] = "Not finished yet: call get_agent_answer with this conversationId and turnId.";
        }

        var text = answer.ToJsonString();
        using var document = JsonDocument.Parse(text);
        return new CallToolResult { Content = [new TextContentBlock { Text = text }], StructuredContent = document.RootElement.Clone() };
    }

    private static TimeSpan? Wait(int? seconds) =>
        (seconds ?? DefaultWaitSeconds) is var s and >= 0 and <= MaxWaitSeconds ? TimeSpan.FromSeconds(s) : null;

    private static CallToolResult WaitOutOfRange() => ToolResults.ToolError(ProblemResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed,
        $"waitSeconds must be from 0 to {MaxWaitSeconds}."));
}
