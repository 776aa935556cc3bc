using OrleansAgents.Conversations;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Mcp;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Checks the hosted-agent part of a registration against this cluster's configuration: the
/// provider must be configured (its endpoint and key stay there), and every tool must be a skill
/// the agent's own capabilities may run, since a tool call runs as a task of the agent itself.
/// </summary>
internal static class HostedAgentValidation
{
    public static AgentSpec Normalize(AgentSpec spec, LlmOptions llm, SkillRegistry skills, McpOptions mcp)
    {
        var instructions = string.IsNullOrWhiteSpace(spec.Instructions) ? null : spec.Instructions.Trim();
        if (instructions?.Length > ConversationRules.InstructionsMaxLength)
        {
            throw Invalid(ErrorCodes.AgentInvalidInstructions, $"instructions are at most {ConversationRules.InstructionsMaxLength} characters.");
        }

        var model = NormalizeModel(spec.Model, llm);
        var tools = (spec.Tools ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (tools.Count > ConversationRules.MaxTools)
        {
            throw Invalid(ErrorCodes.AgentInvalidTool, $"at most {ConversationRules.MaxTools} tools.");
        }

        foreach (var tool in tools)
        {
            if (tool == ConversationRules.MemoryTool)
            {
                continue;
            }

            if (McpToolNames.IsMcp(tool))
            {
                McpToolNames.Validate(tool, mcp);
                continue;
            }

            if (tool == AgentRunSkill.SkillName)
            {
                throw Invalid(ErrorCodes.AgentInvalidTool, $"'{AgentRunSkill.SkillName}' cannot be a tool: list the agents to ask as '{DelegateTool.Prefix}{{agentId}}' (bounded in depth, free of cycles).");
            }

            if (DelegateTool.TryParse(tool, out var delegateId))
            {
                if (!DelegateTool.IsValidTarget(delegateId))
                {
                    throw Invalid(ErrorCodes.AgentInvalidTool, $"tool '{tool}' must name another agent: '{DelegateTool.Prefix}' and an id matching {AgentRules.IdPattern}.");
                }

                continue;
            }

            if (string.IsNullOrEmpty(tool) || !skills.TryGet(tool, out _))
            {
                throw Invalid(ErrorCodes.AgentInvalidTool,
                    $"tool '{tool}' is neither a skill of this cluster (GET /api/skills lists them) nor '{ConversationRules.MemoryTool}'.");
            }

            if (!skills.IsAllowed(tool, spec.Capabilities))
            {
                throw Invalid(ErrorCodes.AgentToolNotAllowed,
                    $"tool '{tool}' runs as a task of this agent, and none of its capabilities may run skill '{tool}' (see Skills:Allow).");
            }
        }

        if (spec.MaxTurns is { } turns && turns is < 1 or > ConversationRules.MaxTurnsLimit)
        {
            throw Invalid(ErrorCodes.AgentInvalidMaxTurns, $"maxTurns (model calls per message) must be between 1 and {ConversationRules.MaxTurnsLimit}.");
        }

        if (spec.MaxToolCalls is { } calls && calls is < 0 or > ConversationRules.MaxToolCallsLimit)
        {
            throw Invalid(ErrorCodes.AgentInvalidMaxToolCalls, $"maxToolCalls (tool calls per message) must be between 0 and {ConversationRules.MaxToolCallsLimit}.");
        }

        if (spec.DailyBudgetUsd is { } budget && budget is <= 0 or > ConversationRules.MaxDailyBudgetUsd)
        {
            throw Invalid(ErrorCodes.AgentInvalidBudget, $"dailyBudgetUsd must be more than 0 and at most {ConversationRules.MaxDailyBudgetUsd}.");
        }

        if (spec.DailyBudgetTokens is { } tokens && tokens is <= 0 or > ConversationRules.MaxDailyBudgetTokens)
        {
            throw Invalid(ErrorCodes.AgentInvalidBudget, $"dailyBudgetTokens must be more than 0 and at most {ConversationRules.MaxDailyBudgetTokens}.");
        }

        var hostedFields = instructions is not null || tools.Count > 0 || spec.MaxTurns is not null || spec.MaxToolCalls is not null
            || spec.DailyBudgetUsd is not null || spec.DailyBudgetTokens is not null;
        if (model is null && hostedFields)
        {
            throw Invalid(ErrorCodes.AgentInvalidModel, "instructions, tools, maxTurns, maxToolCalls, dailyBudgetUsd and dailyBudgetTokens belong to a hosted LLM agent: give a model { provider, model?, temperature?, maxOutputTokens? } too.");
        }

        if (model is not null && spec.Kind != AgentKind.Hosted)
        {
            throw Invalid(ErrorCodes.AgentInvalidKind, "an agent with a model is run by the cluster: its kind must be hosted.");
        }

        return spec with
        {
            Instructions = instructions,
            Model = model,
            Tools = model is null ? null : tools,
            MaxTurns = spec.MaxTurns,
            MaxToolCalls = spec.MaxToolCalls,
        };
    }

    private static AgentModel? NormalizeModel(AgentModel? model, LlmOptions llm)
    {
        if (model is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(model.Provider))
        {
            throw Invalid(ErrorCodes.AgentInvalidModel, "model.provider is required: one of Skills:Llm:Providers.");
        }

        if (!llm.Providers.ContainsKey(model.Provider))
        {
            var known = llm.Providers.Count == 0 ? "none is configured" : "known: " + string.Join(", ", llm.Providers.Keys.Order(StringComparer.Ordinal));
            throw Invalid(ErrorCodes.AgentUnknownProvider, $"model.provider '{model.Provider}' is not configured under Skills:Llm:Providers ({known}).");
        }

        var name = string.IsNullOrWhiteSpace(model.Model) ? null : model.Model.Trim();
        if (name?.Length > ConversationRules.ModelNameMaxLength)
        {
            throw Invalid(ErrorCodes.AgentInvalidModel, $"model.model is at most {ConversationRules.ModelNameMaxLength} characters.");
        }

        if (model.Temperature is { } t && (!double.IsFinite(t) || t is < 0 or > 2))
        {
            throw Invalid(ErrorCodes.AgentInvalidModel, "model.temperature must be a number between 0 and 2.");
        }

        if (model.MaxOutputTokens is { } max && max is < 1 or > ConversationRules.MaxOutputTokensLimit)
        {
            throw Invalid(ErrorCodes.AgentInvalidModel, $"model.maxOutputTokens must be between 1 and {ConversationRules.MaxOutputTokensLimit}.");
        }

        return model with { Model = name };
    }

    private static DomainException Invalid(string code, string message) => new(code, message);
}
