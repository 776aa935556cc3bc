using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Conversations;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Grains.Conversations;

/// <summary>Runs a skill as a child task of the turn and answers with what the model should see.</summary>
public delegate Task<JsonElement> ToolRunner(string skill, string callId, string inputJson, CancellationToken cancellationToken);

/// <summary>One turn's agent: the framework agent and the guarded client that counts its model calls.</summary>
public sealed record class HostedTurnAgent(ChatClientAgent Agent, GuardedChatClient Client);

/// <summary>
/// Builds a Microsoft Agent Framework <see cref="ChatClientAgent"/> per turn from the registration
/// as it is now (instructions, model, tools), so an update of the agent applies from its next
/// turn. The pipeline is the framework's <see cref="FunctionInvokingChatClient"/> (the agent loop,
/// bounded by maxTurns) over <see cref="GuardedChatClient"/> (quota, provider budget, breaker)
/// over the provider's OpenAI client.
/// </summary>
public sealed class HostedAgentFactory(
    LlmClients clients,
    IOptions<LlmOptions> llm,
    SkillRegistry skills,
    IGrainFactory grains,
    GuardedCalls guarded,
    SkillMetrics metrics,
    McpToolProvider mcp,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public HostedTurnAgent Create(AgentView agent, string user, ToolRunner runSkill, string? effectScope = null) =>
        Build(agent, user, agent.Instructions, Tools(agent, runSkill), agent.MaxTurns ?? ConversationRules.DefaultMaxTurns,
            // mcp:{server}/{tool} tools: their schemas come from the servers' tools/list (async, cached).
            mcp.ContextFor(agent, effectScope));

    /// <summary>
    /// The agent's model behind the same guards, with instructions and tools of the caller's choosing
    /// instead of the registration's (the workflow planner's catalogue and validation functions).
    /// </summary>
    public HostedTurnAgent CreateWithTools(AgentView agent, string user, string instructions, IList<AITool> tools, int maxIterations) =>
        Build(agent, user, instructions, tools, maxIterations, null);

    private HostedTurnAgent Build(AgentView agent, string user, string? instructions, IList<AITool> tools, int maxIterations, AIContextProvider? context)
    {
        var model = agent.Model ?? throw new InvalidOperationException($"Agent '{agent.Id}' has no model.");
        var modelName = model.Model ?? llm.Value.Providers[model.Provider].Model;
        var client = new GuardedChatClient(clients.Get(model.Provider, modelName), model.Provider, modelName, user, grains, guarded, metrics, time);
        var pipeline = client.AsBuilder()
            .UseFunctionInvocation(loggers, f => f.MaximumIterationsPerRequest = maxIterations)
            .Build();
        var options = new ChatClientAgentOptions
        {
            Id = agent.Id,
            Name = agent.Name,
            Description = agent.Description,
            // Our pipeline already has the function-invocation loop; the default decorators would add a second.
            UseProvidedChatClientAsIs = true,
            ChatOptions = new ChatOptions
            {
                Instructions = instructions,
                Temperature = model.Temperature is { } t ? (float)t : null,
                MaxOutputTokens = model.MaxOutputTokens,
                Tools = tools,
            },
            AIContextProviders = context is null ? null : [context],
        };
        return new HostedTurnAgent(new ChatClientAgent(pipeline, options, loggers), client);
    }

    /// <summary>OpenAI function names allow letters, digits, _ and -: a skill's dots become underscores.</summary>
    public static string ToolName(string skill) => skill.Replace('.', '_');

    private List<AITool> Tools(AgentView agent, ToolRunner runSkill)
    {
        var tools = new List<AITool>();
        foreach (var name in agent.Tools ?? [])
        {
            if (name == ConversationRules.MemoryTool)
            {
                tools.AddRange(MemoryTools(agent.Id));
            }
            else if (skills.TryGet(name, out var skill))
            {
                tools.Add(new SkillTool(ToolName(name), skill.Name, skill.Description, Schema(skill.InputSchema), runSkill));
            }
            else if (DelegateTool.TryParse(name, out var delegateId))
            {
                tools.Add(new DelegateTool(delegateId, runSkill));
            }
        }

        return tools;
    }

    /// <summary>The skill's published input schema, as the object schema function calling needs.</summary>
    private static JsonElement Schema(JsonObject published)
    {
        var schema = (JsonObject)published.DeepClone();
        schema["type"] ??= "object";
        return JsonSerializer.SerializeToElement(schema);
    }

    private IEnumerable<AITool> MemoryTools(string agentId)
    {
        var memory = new GrainAgentMemory(grains, agentId);
        yield return AIFunctionFactory.Create(
            async (string key, string value, CancellationToken cancellationToken) =>
            {
                await memory.SetAsync(key, JsonSerializer.SerializeToElement(value), cancellationToken: cancellationToken);
                return "remembered " + key;
            },
            "remember",
            "Stores a text value under a key in this agent's long-term memory (it outlives the conversation).");
        yield return AIFunctionFactory.Create(
            async (string key, CancellationToken cancellationToken) =>
                await memory.GetAsync(key, cancellationToken) is { } value ? value.ToString() : "nothing stored under " + key,
            "recall",
            "Reads the value stored under a key in this agent's long-term memory.");
    }

    /// <summary>A skill as a tool: the framework calls it, it runs the skill as a child task of the turn.</summary>
    private sealed class SkillTool(string name, string skill, string description, JsonElement schema, ToolRunner run) : AIFunction
    {
        public override string Name => name;

        public override string Description => description;

        public override JsonElement JsonSchema => schema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var callId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId is { Length: > 0 } id ? id : Guid.NewGuid().ToString("N");
            var input = JsonSerializer.Serialize(new Dictionary<string, object?>(arguments, StringComparer.Ordinal), AIJsonUtilities.DefaultOptions);
            return await run(skill, callId, input, cancellationToken);
        }
    }
}
