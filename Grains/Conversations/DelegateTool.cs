using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OrleansAgents.Agents;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Another hosted agent as a tool: <c>agent:{id}</c> in the registration's tools becomes the
/// function <c>ask_{id}(question)</c>. A call runs skill <c>agent.run</c> as a child task of the turn
/// (same effect key, retries and durability as any tool), which sends the question to a new
/// conversation of that agent owned by the same user; <see cref="AgentRunSkill"/> bounds the depth
/// and refuses cycles with a tool error the model sees.
/// </summary>
public sealed class DelegateTool(string agentId, ToolRunner run) : AIFunction
{
    public const string Prefix = "agent:";

    // OpenAI function names: ^[a-zA-Z0-9_-]{1,64}$.
    private const int MaxNameLength = 64;

    private static readonly JsonElement QuestionSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"question":{"type":"string","description":"What to ask; the agent sees only this, so include the context it needs."}},"required":["question"]}""").RootElement.Clone();

    /// <summary>The agent id of a <c>agent:{id}</c> tool entry, if it is one.</summary>
    public static bool TryParse(string tool, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? agentId)
    {
        agentId = tool.StartsWith(Prefix, StringComparison.Ordinal) ? tool[Prefix.Length..] : null;
        return agentId is not null;
    }

    public static string FunctionName(string agentId)
    {
        var name = "ask_" + agentId.Replace('.', '_');
        return name.Length <= MaxNameLength
            ? name
            : name[..(MaxNameLength - 9)] + "_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agentId)))[..8];
    }

    public override string Name => FunctionName(agentId);

    public override string Description => $"Asks the hosted agent '{agentId}' one question and returns its answer.";

    public override JsonElement JsonSchema => QuestionSchema;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var callId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId is { Length: > 0 } id ? id : Guid.NewGuid().ToString("N");
        var question = arguments.TryGetValue("question", out var q) ? q?.ToString() : null;
        var input = JsonSerializer.Serialize(new Dictionary<string, string?> { ["agentId"] = agentId, ["prompt"] = question }, AIJsonUtilities.DefaultOptions);
        return await run(AgentRunSkill.SkillName, callId, input, cancellationToken);
    }

    /// <summary>Whether <paramref name="agentId"/> is a well-formed agent id (existence is checked when called: it may be registered later).</summary>
    public static bool IsValidTarget(string agentId) => AgentRules.IsValidId(agentId);
}
