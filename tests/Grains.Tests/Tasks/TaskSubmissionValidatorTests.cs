using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Skills;
using OrleansAgents.Grains.Tasks;

namespace OrleansAgents.Tests.Tasks;

/// <summary>The submission rules without a cluster: each problem is its own error code.</summary>
public sealed class TaskSubmissionValidatorTests
{
    private static readonly SkillRegistry Skills = new(
        [new EchoSkill()],
        [new SkillRegistration(typeof(EchoSkill), ["general"])],
        Options.Create(new SkillOptions()));

    private static readonly TaskOptions Limits = new() { MaxInputBytes = 64, MaxTimeout = TimeSpan.FromMinutes(10), HardTimeoutGrace = TimeSpan.FromSeconds(30) };

    [Fact]
    public void Validate_AValidSubmission_ReturnsTheSkillAndTheInputAsStored()
    {
        var (skill, input) = TaskSubmissionValidator.Validate(Submission() with { InputJson = """{ "delayMs" : 5 }""" }, Skills, Limits);

        Assert.Equal(EchoSkill.SkillName, skill.Name);
        Assert.Equal("""{ "delayMs" : 5 }""", input);
    }

    private static readonly Dictionary<string, (string Code, TaskSubmission Submission)> Cases = new()
    {
        ["both targets"] = (ErrorCodes.TaskInvalidTarget, Submission() with { AgentId = "a-1" }),
        ["no target"] = (ErrorCodes.TaskInvalidTarget, Submission() with { Capability = null }),
        ["bad capability"] = (ErrorCodes.TaskInvalidTarget, Submission() with { Capability = "Not A Capability!" }),
        ["unknown skill"] = (ErrorCodes.TaskUnknownSkill, Submission() with { Skill = "nope" }),
        ["skill not allowed"] = (ErrorCodes.TaskSkillNotAllowed, Submission() with { Capability = "billing" }),
        ["input too large"] = (ErrorCodes.TaskInputTooLarge, Submission() with { InputJson = "\"" + new string('x', 100) + "\"" }),
        ["input not json"] = (ErrorCodes.TaskInvalidInput, Submission() with { InputJson = "{not json" }),
        ["input unfit"] = (ErrorCodes.TaskInvalidInput, Submission() with { InputJson = """{"delayMs":-1}""" }),
        ["timeout too long"] = (ErrorCodes.TaskInvalidTimeout, Submission() with { Timeout = TimeSpan.FromMinutes(11) }),
        ["hard below soft"] = (ErrorCodes.TaskInvalidTimeout, Submission() with { Timeout = TimeSpan.FromSeconds(10), HardTimeout = TimeSpan.FromSeconds(5) }),
        ["no attempts"] = (ErrorCodes.TaskInvalidMaxAttempts, Submission() with { MaxAttempts = 0 }),
    };

    public static TheoryData<string> Invalid => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_AnInvalidSubmission_IsRejectedWithItsCode(string name)
    {
        var (code, submission) = Cases[name];

        var error = Assert.Throws<DomainException>(() => TaskSubmissionValidator.Validate(submission, Skills, Limits));

        Assert.Equal(code, error.Code);
    }

    private static TaskSubmission Submission() =>
        new(null, "general", EchoSkill.SkillName, "{}", TaskPriority.Default, null, null, null, null, "alice");
}
