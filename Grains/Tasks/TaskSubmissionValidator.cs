using System.Text;
using System.Text.Json;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;

namespace OrleansAgents.Grains.Tasks;

/// <summary>
/// Checks a submission before anything is stored: one target, a known skill the capability may
/// run, input that is JSON of bounded size and fits the skill, timeouts and attempts in range.
/// Each problem is a 4xx <see cref="DomainException"/> with its error code. Pure, so it is tested
/// without a cluster.
/// </summary>
public static class TaskSubmissionValidator
{
    /// <summary>The skill and the input as it is stored (re-serialized once parsed).</summary>
    public static (ISkill Skill, string Input) Validate(TaskSubmission submission, SkillRegistry skills, TaskOptions options)
    {
        if ((submission.AgentId is null) == (submission.Capability is null))
        {
            throw new DomainException(ErrorCodes.TaskInvalidTarget, "Name exactly one target: an agent id or a capability.");
        }

        if (submission.Capability is not null && !AgentRules.IsValidCapability(submission.Capability))
        {
            throw new DomainException(ErrorCodes.TaskInvalidTarget, $"capability must match {AgentRules.CapabilityPattern}.");
        }

        if (!skills.TryGet(submission.Skill, out var skill))
        {
            throw new DomainException(ErrorCodes.TaskUnknownSkill, $"Unknown skill '{submission.Skill}'. GET /api/skills lists the skills.");
        }

        if (submission.Capability is not null && !skills.IsAllowed(skill.Name, [submission.Capability]))
        {
            throw new DomainException(ErrorCodes.TaskSkillNotAllowed, $"Skill '{skill.Name}' is not allowed for capability '{submission.Capability}'.");
        }

        if (Encoding.UTF8.GetByteCount(submission.InputJson) > options.MaxInputBytes)
        {
            throw new DomainException(ErrorCodes.TaskInputTooLarge, $"The input is larger than {options.MaxInputBytes} bytes.", DomainErrorKind.TooLarge);
        }

        JsonElement input;
        try
        {
            input = JsonDocument.Parse(submission.InputJson).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new DomainException(ErrorCodes.TaskInvalidInput, "input is not valid JSON.");
        }

        IReadOnlyList<string> problems;
        try
        {
            problems = skill.Validate(input);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException or ArgumentException)
        {
            // A skill that trips over an unexpected shape still means the input does not fit it.
            problems = ["The input has an unexpected shape: " + ex.Message];
        }

        if (problems.Count > 0)
        {
            throw new DomainException(ErrorCodes.TaskInvalidInput, $"The input does not fit skill '{skill.Name}': {string.Join(" ", problems)}");
        }

        var timeout = submission.Timeout ?? options.DefaultTimeout;
        if (timeout <= TimeSpan.Zero || timeout > options.MaxTimeout)
        {
            throw new DomainException(ErrorCodes.TaskInvalidTimeout, $"timeoutSeconds must be above 0 and at most {options.MaxTimeout.TotalSeconds:0}.");
        }

        if (submission.HardTimeout is { } hard && (hard < timeout || hard > options.MaxTimeout + options.HardTimeoutGrace))
        {
            throw new DomainException(ErrorCodes.TaskInvalidTimeout,
                $"hardTimeoutSeconds must be at least timeoutSeconds and at most {(options.MaxTimeout + options.HardTimeoutGrace).TotalSeconds:0}.");
        }

        if (submission.MaxAttempts is { } attempts && (attempts < 1 || attempts > TaskRules.MaxAttemptsLimit))
        {
            throw new DomainException(ErrorCodes.TaskInvalidMaxAttempts, $"maxAttempts must be between 1 and {TaskRules.MaxAttemptsLimit}.");
        }

        return (skill, input.GetRawText());
    }
}
