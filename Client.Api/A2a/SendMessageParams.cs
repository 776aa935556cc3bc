using System.Text;
using System.Text.Json.Nodes;
using OrleansAgents.Agents;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Tasks;

namespace OrleansAgents.Api.A2a;

/// <summary>The parts of a SendMessageRequest this cluster acts on, validated.</summary>
public sealed record SendMessageParams(string Text, string? ContextId, string? AgentId, bool ReturnImmediately, int? HistoryLength)
{
    public const int MaxParts = 64;

    public static SendMessageParams Parse(JsonObject p, string? agentScope)
    {
        var message = Params.Nested(p, "message") ?? throw A2aException.Invalid("message is required.");
        var messageId = Params.Text(message, "messageId", 256);
        if (string.IsNullOrEmpty(messageId))
        {
            throw A2aException.Invalid("message.messageId is required.");
        }

        var role = Params.Text(message, "role", 32);
        if (role is not ("ROLE_USER" or "user"))
        {
            throw A2aException.Invalid("message.role must be ROLE_USER: a client sends the user's side of the conversation.");
        }

        if (!string.IsNullOrEmpty(Params.Text(message, "taskId", 256)))
        {
            throw A2aException.Unsupported("Tasks here never wait for more input, so a message cannot continue one; send it with the task's contextId to continue the conversation.");
        }

        var parts = Params.Array(message, "parts");
        if (parts is null || parts.Count == 0)
        {
            throw A2aException.Invalid("message.parts must hold at least one text part.");
        }

        if (parts.Count > MaxParts)
        {
            throw A2aException.Invalid($"message.parts holds at most {MaxParts} parts.");
        }

        var text = new StringBuilder();
        foreach (var node in parts)
        {
            if (node is not JsonObject part)
            {
                throw A2aException.Invalid("Each message part must be an object.");
            }

            if (part["text"] is null)
            {
                throw new A2aException(A2aException.ContentTypeNotSupported, "CONTENT_TYPE_NOT_SUPPORTED", ErrorCodes.A2aContentTypeNotSupported,
                    "Only text parts are accepted (text/plain); files, URLs and data parts are not.");
            }

            text.Append(text.Length > 0 ? "\n" : "").Append(Params.Text(part, "text", ConversationRules.ContentMaxLength));
        }

        var configuration = Params.Nested(p, "configuration") ?? [];
        if (configuration["taskPushNotificationConfig"] is not null)
        {
            throw new A2aException(A2aException.PushNotificationNotSupported, "PUSH_NOTIFICATION_NOT_SUPPORTED", ErrorCodes.A2aPushNotSupported,
                "Push notifications are not supported; follow a task with SendStreamingMessage, SubscribeToTask or GetTask.");
        }

        if (Params.Array(configuration, "acceptedOutputModes") is { Count: > 0 } modes &&
            !modes.Any(m => m is JsonValue v && v.TryGetValue<string>(out var s) && s is "text/plain" or "text" or "*/*" or "text/*"))
        {
            throw new A2aException(A2aException.ContentTypeNotSupported, "CONTENT_TYPE_NOT_SUPPORTED", ErrorCodes.A2aContentTypeNotSupported,
                "Hosted agents answer in text/plain only.");
        }

        var contextId = Params.Text(message, "contextId", 64);
        var agentId = agentScope
            ?? (Params.Nested(message, "metadata") is { } mm ? Params.Text(mm, "agentId", 64) : null)
            ?? (Params.Nested(p, "metadata") is { } pm ? Params.Text(pm, "agentId", 64) : null);
        if (string.IsNullOrEmpty(contextId) && string.IsNullOrEmpty(agentId))
        {
            throw A2aException.Invalid("Which agent? Send to /api/a2a/agents/{agentId}, or give metadata.agentId (a skill id of the agent card), or the contextId of an earlier task.");
        }

        if (!string.IsNullOrEmpty(agentId) && !AgentRules.IsValidId(agentId))
        {
            throw A2aException.Invalid(ErrorCodes.AgentInvalidId, $"agentId must match {AgentRules.IdPattern}.");
        }

        return new SendMessageParams(
            text.ToString(),
            string.IsNullOrEmpty(contextId) ? null : contextId,
            string.IsNullOrEmpty(agentId) ? null : agentId,
            Params.Bool(configuration, "returnImmediately") ?? false,
            Params.Number(configuration, "historyLength", 0, 1000)) { MessageId = messageId };
    }

    /// <summary>The client's id of the message: a resend of it in the same context is the same turn.</summary>
    public string MessageId { get; init; } = "";

    /// <summary>
    /// The conversation idempotency key of this message, when it continues a context (a message that
    /// starts one always makes a new conversation, so there is nothing to find again).
    /// </summary>
    public string? IdempotencyKey =>
        ContextId is not null && TaskRules.IsValidIdempotencyKey("a2a:" + MessageId) ? "a2a:" + MessageId : null;
}
