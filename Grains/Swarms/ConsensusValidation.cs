using System.Text;
using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Tasks;
using OrleansAgents.Swarms;

namespace OrleansAgents.Grains.Swarms;

/// <summary>Checks a request before anything is stored; every problem is a <see cref="DomainException"/>.</summary>
public static class ConsensusValidation
{
    public static void Check(ConsensusRequest request, ConsensusOptions options, TaskOptions tasks, SkillRegistry skills)
    {
        if (!AgentRules.IsValidCapability(request.Capability))
        {
            throw new DomainException(ErrorCodes.TaskInvalidTarget, $"capability must match {AgentRules.CapabilityPattern}.");
        }

        if (!Enum.IsDefined(request.Aggregation))
        {
            throw new DomainException(ErrorCodes.ConsensusInvalidAggregation, "aggregation must be majority, trust-weighted or best-score.");
        }

        if (request.Agents < 1)
        {
            throw new DomainException(ErrorCodes.ConsensusInvalidAgents, "agents must be at least 1.");
        }

        if (request.Agents > options.MaxConsensusAgents)
        {
            throw new DomainException(ErrorCodes.ConsensusTooManyAgents, $"A round may ask at most {options.MaxConsensusAgents} agents (Swarms:MaxConsensusAgents).");
        }

        if (request.Quorum < 1 || request.Quorum > request.Agents)
        {
            throw new DomainException(ErrorCodes.ConsensusInvalidQuorum, $"quorum must be between 1 and agents ({request.Agents}).");
        }

        if (request.Deadline is not { } deadline || deadline < options.ConsensusMinDeadline || deadline > options.ConsensusMaxDeadline)
        {
            throw new DomainException(ErrorCodes.ConsensusInvalidDeadline,
                $"deadlineSeconds must be between {options.ConsensusMinDeadline.TotalSeconds:0.###} and {options.ConsensusMaxDeadline.TotalSeconds:0.###}.");
        }

        CheckSkill(request.Skill, request.Capability, skills);
        if (request.Aggregation == ConsensusAggregation.BestScore)
        {
            if (request.ScoringSkill is null)
            {
                throw new DomainException(ErrorCodes.ConsensusMissingScoringSkill, "best-score needs scoringSkill: the skill that scores each answer.");
            }

            CheckSkill(request.ScoringSkill, request.Capability, skills);
        }
        else if (request.ScoringSkill is not null)
        {
            throw new DomainException(ErrorCodes.ConsensusMissingScoringSkill, "scoringSkill is only used by best-score.");
        }

        if (Encoding.UTF8.GetByteCount(request.InputJson) > tasks.MaxInputBytes)
        {
            throw new DomainException(ErrorCodes.TaskInputTooLarge, $"The input is larger than {tasks.MaxInputBytes} bytes.", DomainErrorKind.TooLarge);
        }

        IReadOnlyList<string> problems;
        try
        {
            using var input = JsonDocument.Parse(request.InputJson);
            skills.TryGet(request.Skill, out var skill);
            problems = skill!.Validate(input.RootElement);
        }
        catch (JsonException)
        {
            throw new DomainException(ErrorCodes.TaskInvalidInput, "input is not valid JSON.");
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            problems = ["The input has an unexpected shape: " + ex.Message];
        }

        if (problems.Count > 0)
        {
            throw new DomainException(ErrorCodes.TaskInvalidInput, $"The input does not fit skill '{request.Skill}': {string.Join(" ", problems)}");
        }
    }

    private static void CheckSkill(string name, string capability, SkillRegistry skills)
    {
        if (!TaskRules.IsValidSkillName(name) || !skills.TryGet(name, out _))
        {
            throw new DomainException(ErrorCodes.TaskUnknownSkill, $"Unknown skill '{name}'. GET /api/skills lists the skills.");
        }

        if (!skills.IsAllowed(name, [capability]))
        {
            throw new DomainException(ErrorCodes.TaskSkillNotAllowed, $"Skill '{name}' is not allowed for capability '{capability}'.");
        }
    }
}
