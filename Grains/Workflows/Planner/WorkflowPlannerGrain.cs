using System.Security.Cryptography;
using System.Text;
using Microsoft.Agents.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Conversations;
using OrleansAgents.Grains.RateLimiting;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Skills.Llm;
using OrleansAgents.Grains.Workflows.Definitions;

namespace OrleansAgents.Grains.Workflows.Planner;

/// <summary>
/// POST /api/workflows/generate: one run of the planner agent (the framework's ChatClientAgent and
/// function-invocation loop over the agent's model, behind the same quota, budget and breaker as
/// a conversation turn) with <see cref="PlannerTools"/> as its functions; then the last draft is
/// checked once more and stored as <c>created</c> with its provenance, or returned with its findings.
/// </summary>
[StatelessWorker]
public sealed partial class WorkflowPlannerGrain(
    HostedAgentFactory factory,
    SkillRegistry skills,
    IWorkflowEnvironment environment,
    IOptions<WorkflowPlannerOptions> options,
    IOptions<LlmOptions> llm,
    IOptions<LlmPriceOptions> prices,
    ModelUsageRecorder usage,
    IOptions<RateLimitingOptions> tiers,
    TimeProvider time,
    ILogger<WorkflowPlannerGrain> logger) : Grain, IWorkflowPlannerGrain
{
    // GuardedChatClient's code for the caller's AI-token quota: the caller's own limit (429), not the provider failing.
    private const string TokenQuotaExceeded = "llm.token_quota_exceeded";

    private readonly WorkflowPlannerOptions _options = options.Value;

    public async Task<WorkflowGeneration> GenerateAsync(WorkflowGenerateRequest request)
    {
        var rounds = Check(request);
        var agent = await PlannerAsync(request.AgentId);
        await AgentBudget.RequireWithinAsync(GrainFactory, agent, time.GetUtcNow());
        await AgentBudget.RequireOwnerWithinAsync(GrainFactory, tiers.Value, request.Caller, time.GetUtcNow());

        var tools = new PlannerTools(skills, environment, GrainFactory, TaskScheduler.Current, rounds, _options.CatalogueAgents);
        var instructions = PlannerPrompt.Instructions(agent.Instructions);
        var prompt = PlannerPrompt.ForGoal(request.Goal.Trim(), rounds);
        // Each round is a model call that drafts and one that reads the findings; the catalogue and the answer add a few.
        var hosted = factory.CreateWithTools(agent, request.Caller, instructions, tools.Create(), (2 * rounds) + 4);

        AgentResponse response;
        try
        {
            response = await hosted.Agent.RunAsync(prompt);
        }
        catch (SkillException ex) when (ex.Code == TokenQuotaExceeded)
        {
            throw new DomainException(ex.Code, ex.Message, DomainErrorKind.TooManyRequests) { RetryAfter = ex.RetryAfter };
        }
        catch (Exception ex) when (ex is not DomainException)
        {
            var code = ex is SkillException skill ? skill.Code : ex.GetType().Name;
            LogPlannerFailed(logger, ex, agent.Id, code);
            throw new DomainException(ErrorCodes.WorkflowPlannerUnavailable,
                $"The planner agent '{agent.Id}' could not finish: its provider '{hosted.Client.Provider}' failed ({code}). Try again later.",
                DomainErrorKind.Unavailable) { RetryAfter = (ex as SkillException)?.RetryAfter };
        }

        var tokens = response.Usage;
        var (input, output) = (tokens?.InputTokenCount ?? 0, tokens?.OutputTokenCount ?? 0);
        await usage.RecordAsync(agent.Id, request.Caller, hosted.Client.Provider, hosted.Client.Model, input, output,
            Math.Max(tokens?.TotalTokenCount ?? 0, input + output), prices.Value.Cost(hosted.Client.Provider, hosted.Client.Model, input, output) ?? 0);

        // A planner that never called the validation tool may still have answered with the draft itself.
        var draft = tools.LastDraft;
        var used = tools.Rounds;
        if (draft is null && PlannerPrompt.DraftIn(response.Text) is { } answered)
        {
            draft = answered;
            used = 1;
        }

        var provenance = new WorkflowProvenance(request.Caller, agent.Id, hosted.Client.Provider, hosted.Client.Model,
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(instructions + "\n\n" + prompt))), used, time.GetUtcNow());
        if (draft is null)
        {
            return new WorkflowGeneration(null, null,
                [new("", ErrorCodes.WorkflowGenerateBadDraft, "The planner answered without a draft: " + Shorten(response.Text))], provenance);
        }

        var (definition, findings) = await PlannerTools.CheckAsync(draft, environment);
        if (definition is null)
        {
            return new WorkflowGeneration(null, draft, findings, provenance);
        }

        var id = "wf-" + IdEncoding.Base32(RandomNumberGenerator.GetBytes(17))[..16];
        try
        {
            var stored = await GrainFactory.GetGrain<IWorkflowGrain>(id).CreateGeneratedAsync(definition, request.Caller, provenance);
            return new WorkflowGeneration(stored, draft, [], provenance);
        }
        catch (DomainException ex) when (ex.Code == ErrorCodes.WorkflowInvalid)
        {
            // The cluster changed between the check and the store (an agent retired): still the draft's findings.
            return new WorkflowGeneration(null, draft, [.. (ex.Errors ?? []).Select(e => new WorkflowValidationIssue(e.Path, e.Code, e.Message))], provenance);
        }
    }

    private int Check(WorkflowGenerateRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Goal) || request.Goal.Trim().Length > WorkflowRules.GoalMaxLength)
        {
            throw new DomainException(ErrorCodes.WorkflowGenerateInvalidGoal, $"goal is required: the workflow's purpose in words, at most {WorkflowRules.GoalMaxLength} characters.");
        }

        var rounds = request.MaxRounds ?? _options.MaxRounds;
        if (rounds < 1 || rounds > _options.MaxRoundsLimit)
        {
            throw new DomainException(ErrorCodes.WorkflowGenerateInvalidMaxRounds, $"maxRounds must be 1-{_options.MaxRoundsLimit} (was {rounds}).");
        }

        if (request.AgentId is { } id && !AgentRules.IsValidId(id))
        {
            throw new DomainException(ErrorCodes.AgentInvalidId, $"agentId must match {AgentRules.IdPattern}.");
        }

        return rounds;
    }

    /// <summary>The named hosted agent, or the default planner, registered from Workflows:Planner on first use.</summary>
    private async Task<AgentView> PlannerAsync(string? requested)
    {
        var id = requested ?? _options.AgentId;
        var agent = await GrainFactory.GetGrain<IAgentGrain>(id).GetAsync();
        if (agent is null && requested is null)
        {
            agent = await RegisterDefaultAsync(id);
        }

        if (agent is null)
        {
            throw new DomainException(ErrorCodes.AgentNotFound, $"Agent '{id}' is not registered.", DomainErrorKind.NotFound);
        }

        if (agent.RetiredAt is not null)
        {
            throw new DomainException(ErrorCodes.AgentRetired, $"Agent '{id}' is retired.", DomainErrorKind.Conflict);
        }

        return agent.Model is not null ? agent : throw new DomainException(ErrorCodes.AgentNotHosted,
            $"Agent '{id}' has no model, so it cannot plan; name a hosted agent (one registered with model {{ provider, model }}).", DomainErrorKind.Conflict);
    }

    private async Task<AgentView> RegisterDefaultAsync(string id)
    {
        var provider = string.IsNullOrEmpty(_options.Provider) ? llm.Value.Resolve(null) : _options.Provider;
        if (provider is null || !llm.Value.Providers.ContainsKey(provider))
        {
            throw new DomainException(ErrorCodes.WorkflowPlannerNotConfigured,
                provider is null
                    ? $"No default planner: configure a provider under {LlmOptions.Section}:Providers (and {WorkflowPlannerOptions.Section}:Provider when there are several), or name a hosted agent as agentId."
                    : $"No default planner: {WorkflowPlannerOptions.Section}:Provider '{provider}' is not configured under {LlmOptions.Section}:Providers.",
                DomainErrorKind.Unavailable);
        }

        var spec = new AgentSpec("Workflow planner", "Drafts workflows from goals (POST /api/workflows/generate).", [], 1,
            new Dictionary<string, string> { ["owner"] = "system" }, AgentKind.Hosted,
            Model: new AgentModel(provider, string.IsNullOrEmpty(_options.Model) ? null : _options.Model));
        try
        {
            return await GrainFactory.GetGrain<IAgentGrain>(id).RegisterAsync(spec);
        }
        catch (DomainException ex) when (ex.Code == ErrorCodes.AgentExists)
        {
            // Two first requests at once: the other one registered it.
            if (await GrainFactory.GetGrain<IAgentGrain>(id).GetAsync() is { } registered)
            {
                return registered;
            }

            throw;
        }
    }

    private static string Shorten(string? text) => text is null ? "(nothing)" : text.Length <= 500 ? text : text[..500] + "…";

    [LoggerMessage(LogLevel.Warning, "Planner agent {AgentId} failed with {Code}")]
    private static partial void LogPlannerFailed(ILogger logger, Exception ex, string agentId, string code);
}
