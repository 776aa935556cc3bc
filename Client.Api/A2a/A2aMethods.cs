using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Security;

namespace OrleansAgents.Api.A2a;

/// <summary>
/// The A2A v1.0 methods over conversation grains. Each checks the same permission as the
/// conversations endpoint it mirrors: sending and cancelling need agent:execute, reading needs
/// agent:read.
/// </summary>
public static class A2aMethods
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(15);

    public static async Task<JsonNode> SendMessageAsync(A2aCaller caller, JsonObject p, A2aOptions options)
    {
        var (grain, view, turn, _, send) = await PostAsync(caller, p);
        if (!send.ReturnImmediately)
        {
            // Blocking by default (the spec's default); bounded, then the task as it is: poll GetTask.
            turn = await WaitAsync(grain, turn.Id, view.LastEventSequence, options.BlockingWait, caller.Http.RequestAborted);
        }

        return new JsonObject { ["task"] = A2aTasks.Task(view, turn, send.HistoryLength) };
    }

    public static async IAsyncEnumerable<JsonNode> SendStreamingMessageAsync(A2aCaller caller, JsonObject p, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (grain, view, turn, after, _) = await PostAsync(caller, p);
        yield return new JsonObject { ["task"] = A2aTasks.Task(view, turn) };
        await foreach (var e in FollowAsync(grain, view, turn.Id, after, cancellationToken))
        {
            yield return e;
        }
    }

    public static async Task<JsonNode> GetTaskAsync(A2aCaller caller, JsonObject p)
    {
        await caller.RequireAsync(Permissions.AgentRead);
        var historyLength = Params.Number(p, "historyLength", 0, 1000);
        var (_, view, turn) = await caller.TaskAsync(Params.Text(p, "id", 128), write: false);
        return A2aTasks.Task(view, turn, historyLength);
    }

    public static async Task<JsonNode> CancelTaskAsync(A2aCaller caller, JsonObject p)
    {
        await caller.RequireAsync(Permissions.AgentExecute);
        var (grain, view, turn) = await caller.TaskAsync(Params.Text(p, "id", 128), write: true);
        if (A2aTasks.IsTerminal(turn.State))
        {
            throw new A2aException(A2aException.TaskNotCancelable, "TASK_NOT_CANCELABLE", ErrorCodes.A2aTaskNotCancelable,
                $"Task '{A2aTasks.TaskId(view.Id, turn.Id)}' is already {A2aTasks.State(turn.State)}.");
        }

        await grain.CancelTurnAsync(turn.Id);
        turn = await A2aCaller.TurnAsync(grain, turn.Id) ?? turn;
        return A2aTasks.Task(view, turn);
    }

    public static async IAsyncEnumerable<JsonNode> SubscribeToTaskAsync(A2aCaller caller, JsonObject p, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await caller.RequireAsync(Permissions.AgentRead);
        var (grain, view, turn) = await caller.TaskAsync(Params.Text(p, "id", 128), write: false);
        if (A2aTasks.IsTerminal(turn.State))
        {
            throw A2aException.Unsupported($"Task '{A2aTasks.TaskId(view.Id, turn.Id)}' is already {A2aTasks.State(turn.State)}; read it with GetTask.");
        }

        // The view was read before the turn, so no event of the turn after this snapshot is missed.
        yield return new JsonObject { ["task"] = A2aTasks.Task(view, turn) };
        await foreach (var e in FollowAsync(grain, view, turn.Id, view.LastEventSequence, cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>Checks the message, finds or starts the context, and stores the message as a turn (the task).</summary>
    private static async Task<(IConversationGrain Grain, ConversationView View, TurnView Turn, long After, SendMessageParams Send)> PostAsync(A2aCaller caller, JsonObject p)
    {
        await caller.RequireAsync(Permissions.AgentExecute);
        var send = SendMessageParams.Parse(p, caller.AgentScope);
        IConversationGrain grain;
        ConversationView view;
        if (send.ContextId is { } contextId)
        {
            if (await caller.ConversationAsync(contextId, write: true) is not var (found, foundView))
            {
                throw A2aException.Invalid(ErrorCodes.A2aContextNotFound, $"Context '{contextId}' does not exist; leave contextId out to start a new one.");
            }

            if (send.AgentId is { } agent && agent != foundView.AgentId)
            {
                throw A2aException.Invalid($"Context '{contextId}' is a conversation with agent '{foundView.AgentId}', not '{agent}'.");
            }

            (grain, view) = (found, foundView);
        }
        else
        {
            var id = ConversationRules.NewId();
            grain = caller.Grains.GetGrain<IConversationGrain>(id);
            view = await grain.CreateAsync(send.AgentId!, caller.Subject);
            await caller.Grains.GetGrain<IConversationIndexGrain>(caller.A2aIndexKey).AddAsync(id);
        }

        var turn = await grain.PostMessageAsync(send.Text, send.IdempotencyKey);
        return (grain, view, turn, view.LastEventSequence, send);
    }

    /// <summary>The turn once it is finished, or as it is when the bound passes.</summary>
    internal static async Task<TurnView> WaitAsync(IConversationGrain grain, string turnId, long after, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + bound;
        while (true)
        {
            var turn = await A2aCaller.TurnAsync(grain, turnId) ?? throw A2aException.NoTask(turnId);
            var left = deadline - DateTimeOffset.UtcNow;
            if (A2aTasks.IsTerminal(turn.State) || left <= TimeSpan.Zero)
            {
                return turn;
            }

            var batch = await grain.WaitForEventsAsync(after, left < Poll ? left : Poll, cancellationToken).WaitAsync(cancellationToken);
            if (batch.Events.Count > 0)
            {
                after = batch.Events[^1].Sequence;
            }
            else if (batch.Idle)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A turn's events as A2A stream responses: WORKING status updates (with tool calls as metadata),
    /// the reply as an artifact (appended delta by delta, then whole), and a terminal status update,
    /// after which the stream ends.
    /// </summary>
    private static async IAsyncEnumerable<JsonNode> FollowAsync(
        IConversationGrain grain, ConversationView view, string turnId, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var taskId = A2aTasks.TaskId(view.Id, turnId);
        var streamed = false;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            ConversationEventBatch batch;
            try
            {
                batch = await grain.WaitForEventsAsync(after, Poll, cancellationToken).WaitAsync(cancellationToken);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not DomainException && ++failures <= 5)
            {
                // The grain's silo may be going away; its next activation answers the next call.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                continue;
            }

            foreach (var e in batch.Events)
            {
                after = e.Sequence;
                if (e.TurnId != turnId)
                {
                    continue;
                }

                switch (e.Type)
                {
                    case ConversationEventType.Turn when e.State is { } state && A2aTasks.IsTerminal(state):
                        yield return await FinalAsync(grain, view, turnId);
                        yield break;
                    case ConversationEventType.Turn when e.State == TurnState.Running:
                        yield return StatusUpdate(view.Id, taskId, new JsonObject { ["state"] = "TASK_STATE_WORKING", ["timestamp"] = A2aTasks.Timestamp(e.At) });
                        break;
                    case ConversationEventType.Delta when !string.IsNullOrEmpty(e.Text):
                        yield return ArtifactUpdate(view.Id, taskId, new JsonObject
                        {
                            ["artifactId"] = A2aTasks.ReplyArtifactId,
                            ["name"] = "reply",
                            ["parts"] = new JsonArray(new JsonObject { ["text"] = e.Text }),
                        }, append: streamed, lastChunk: false);
                        streamed = true;
                        break;
                    case ConversationEventType.Message when e.Text is not null:
                        // The whole reply replaces the streamed pieces (append: false), so a client that missed one still ends right.
                        yield return ArtifactUpdate(view.Id, taskId, A2aTasks.ReplyArtifact(e.Text), append: false, lastChunk: true);
                        break;
                    case ConversationEventType.ToolCall or ConversationEventType.ToolResult:
                        var update = StatusUpdate(view.Id, taskId, new JsonObject { ["state"] = "TASK_STATE_WORKING", ["timestamp"] = A2aTasks.Timestamp(e.At) });
                        update["statusUpdate"]!["metadata"] = new JsonObject
                        {
                            ["event"] = e.Type == ConversationEventType.ToolCall ? "tool_call" : "tool_result",
                            ["tool"] = e.Tool,
                            ["callId"] = e.CallId,
                            ["childTaskId"] = e.TaskId,
                        };
                        yield return update;
                        break;
                }
            }

            if (batch.Idle)
            {
                // Nothing runs any more: whatever the log kept, the turn's record has the last word.
                yield return await FinalAsync(grain, view, turnId);
                yield break;
            }
        }
    }

    private static async Task<JsonNode> FinalAsync(IConversationGrain grain, ConversationView view, string turnId)
    {
        var turn = await A2aCaller.TurnAsync(grain, turnId) ?? throw A2aException.NoTask(A2aTasks.TaskId(view.Id, turnId));
        return StatusUpdate(view.Id, A2aTasks.TaskId(view.Id, turnId), A2aTasks.Status(view.Id, turn));
    }

    private static JsonObject StatusUpdate(string contextId, string taskId, JsonObject status) => new()
    {
        ["statusUpdate"] = new JsonObject { ["taskId"] = taskId, ["contextId"] = contextId, ["status"] = status },
    };

    private static JsonObject ArtifactUpdate(string contextId, string taskId, JsonObject artifact, bool append, bool lastChunk) => new()
    {
        ["artifactUpdate"] = new JsonObject
        {
            ["taskId"] = taskId,
            ["contextId"] = contextId,
            ["artifact"] = artifact,
            ["append"] = append,
            ["lastChunk"] = lastChunk,
        },
    };
}

/// <summary>Settings of the A2A endpoints (section <c>A2a</c>).</summary>
public sealed class A2aOptions
{
    public const string Section = "A2a";

    /// <summary>How long a blocking SendMessage waits for the turn to finish before it answers with the task as it is.</summary>
    public TimeSpan BlockingWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Hosted agents listed as skills of the cluster's agent card (the first ones by id).</summary>
    public int MaxCardSkills { get; set; } = 100;
}
