using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// <c>agent.run</c>: one turn of a hosted agent as a skill, so workflow steps, consensus rounds and
/// swarm objectives can use hosted agents like any other skill. The conversation belongs to the
/// task's submitter. Without a conversationId the conversation's id follows from the task's effect
/// key, so a retried attempt finds the turn its first attempt started instead of paying twice.
/// As the task of a hosted agent's tool call (<see cref="DelegateTool"/>) it is a delegation: the
/// calling conversation (the effect key's first part) gives the lineage, bounded in depth and
/// free of cycles.
/// </summary>
public sealed class AgentRunSkill(IGrainFactory grains, IOptions<ConversationOptions> options) : ISkill
{
    public const string SkillName = "agent.run";
    private static readonly HashSet<string> Fields = ["agentId", "prompt", "conversationId"];

    public string Name => SkillName;

    public string Description => "Runs one turn of a hosted agent: { agentId, prompt, conversationId? } → { answer, conversationId, turnId, usage }.";

    public JsonObject InputSchema { get; } = SkillSchema.ObjectOf(
        ("agentId", SkillSchema.Of("string", "A hosted agent (one with a model)."), true),
        ("prompt", SkillSchema.Of("string", "The message to send."), true),
        ("conversationId", SkillSchema.Of("string", "Continue this conversation of the submitter; default: a new one."), false));

    public IReadOnlyList<string> Validate(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return ["input must be an object { agentId, prompt, conversationId? }."];
        }

        var errors = input.EnumerateObject().Where(p => !Fields.Contains(p.Name)).Select(p => $"unknown field '{p.Name}'.").ToList();
        if (!input.TryGetProperty("agentId", out var agent) || agent.ValueKind != JsonValueKind.String || !AgentRules.IsValidId(agent.GetString()))
        {
            errors.Add($"agentId is required and must match {AgentRules.IdPattern}.");
        }

        if (!input.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(prompt.GetString()) || prompt.GetString()!.Length > ConversationRules.ContentMaxLength)
        {
            errors.Add($"prompt is required: 1 to {ConversationRules.ContentMaxLength} characters.");
        }

        if (input.TryGetProperty("conversationId", out var id) && (id.ValueKind != JsonValueKind.String || !ConversationRules.IsValidId(id.GetString())))
        {
            errors.Add($"conversationId must match {ConversationRules.IdPattern}.");
        }

        return errors;
    }

    public async ValueTask<JsonElement> ExecuteAsync(SkillContext context, CancellationToken cancellationToken)
    {
        var agentId = context.Input.GetProperty("agentId").GetString()!;
        var prompt = context.Input.GetProperty("prompt").GetString()!;
        var given = context.Input.TryGetProperty("conversationId", out var id) ? id.GetString() : null;
        var conversationId = given ?? "c_" + IdEncoding.Base32(SHA256.HashData(Encoding.UTF8.GetBytes("agent.run\n" + context.EffectKey)));
        var conversation = grains.GetGrain<IConversationGrain>(conversationId);
        var lineage = await LineageAsync(context, agentId);
        if (given is null && lineage.Count > 0)
        {
            // Before the conversation exists, so a delegate that delegates further always knows its depth.
            await grains.GetGrain<IDelegationLineageGrain>(conversationId).SetAsync(lineage);
        }

        TurnView turn;
        try
        {
            var view = await conversation.GetAsync();
            if (given is null && (view is null || (view.AgentId == agentId && view.Owner == context.SubmittedBy)))
            {
                // Creates the derived conversation, or on a retry finds it and repairs its listing: a crash
                // between the conversation's save and its index add left it out of the delegate's list.
                view = await conversation.CreateAsync(agentId, context.SubmittedBy);
            }

            if (view is null || (given is not null && view.Owner != context.SubmittedBy))
            {
                throw new SkillException("agent.conversation_not_found", $"Conversation '{given}' does not exist or is not the submitter's.", transient: false);
            }

            if (view.AgentId != agentId)
            {
                throw new SkillException("agent.conversation_mismatch", $"Conversation '{conversationId}' is with agent '{view.AgentId}', not '{agentId}'.", transient: false);
            }

            // A retry of a derived conversation continues the turn the first attempt posted.
            var previous = given is null && view.Turns > 0 ? (await conversation.ListTurnsAsync(1, (view.Turns - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).Items : [];
            turn = previous.Count > 0 ? previous[0] : await conversation.PostMessageAsync(prompt);
        }
        catch (DomainException ex)
        {
            throw new SkillException(ex.Code, ex.Message, transient: ex.Kind == DomainErrorKind.Unavailable);
        }

        turn = await WaitAsync(conversation, turn.Id, cancellationToken);
        if (turn.State != TurnState.Completed)
        {
            var error = turn.Error ?? new ConversationError("agent.turn_" + turn.State.ToString().ToLowerInvariant(), $"The turn ended {turn.State}.");
            throw new SkillException(error.Code, error.Message, transient: error.Code.StartsWith("llm.", StringComparison.Ordinal) && error.Code != "llm.token_quota_exceeded");
        }

        return JsonSerializer.SerializeToElement(new JsonObject
        {
            ["answer"] = turn.Reply,
            ["conversationId"] = conversationId,
            ["turnId"] = turn.Id,
            ["usage"] = JsonSerializer.SerializeToNode(turn.Usage, JsonSerializerOptions.Web),
        });
    }

    /// <summary>
    /// The agents that delegated to reach this call, ending with the calling agent, or none when the
    /// task is not a conversation's tool call. A tool call's effect key is {conversation}:{turn}:{call}.
    /// </summary>
    private async Task<IReadOnlyList<string>> LineageAsync(SkillContext context, string agentId)
    {
        var parent = context.EffectKey.Split(':', 2)[0];
        if (!ConversationRules.IsValidId(parent) || !context.EffectKey.Contains(':', StringComparison.Ordinal))
        {
            return [];
        }

        List<string> chain = [.. await grains.GetGrain<IDelegationLineageGrain>(parent).GetAsync(), context.AgentId];
        if (chain.Contains(agentId, StringComparer.Ordinal))
        {
            throw new SkillException("agent.delegation_cycle",
                $"Agent '{agentId}' is already in this delegation chain ({string.Join(" -> ", chain)}): asking it again would loop. Answer without it.", transient: false);
        }

        var max = options.Value.MaxDelegationDepth;
        if (chain.Count > max)
        {
            throw new SkillException("agent.delegation_depth",
                $"Delegation is limited to {max} levels ({ConversationOptions.Section}:MaxDelegationDepth); this chain is {string.Join(" -> ", chain)}. Answer without delegating.", transient: false);
        }

        return chain;
    }

    private static async Task<TurnView> WaitAsync(IConversationGrain conversation, string turnId, CancellationToken cancellationToken)
    {
        var number = int.Parse(turnId, System.Globalization.CultureInfo.InvariantCulture);
        var after = 0L;
        while (true)
        {
            var page = await conversation.ListTurnsAsync(1, (number - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (page.Items is [{ State: TurnState.Completed or TurnState.Failed or TurnState.Cancelled } done])
            {
                return done;
            }

            var batch = await conversation.WaitForEventsAsync(after, TimeSpan.FromSeconds(20), cancellationToken).WaitAsync(cancellationToken);
            after = batch.Events.Count > 0 ? batch.Events[^1].Sequence : after;
        }
    }
}
