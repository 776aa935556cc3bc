using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace OrleansAgents.Workflows;

public static partial class WorkflowRules
{
    public const string IdPattern = "^[a-z0-9][a-z0-9_-]{0,63}$";
    public const string RunIdPattern = "^r_[a-z2-7]{26}$";
    public const string StepIdPattern = "^[a-z][a-z0-9_-]{0,63}$";
    public const int NameMaxLength = 200;
    public const int GoalMaxLength = 4000;
    public const int MaxSteps = 100;
    public const int MaxDependencies = 50;
    public const int ConditionMaxLength = 1000;
    public const int MaxTimeoutSeconds = 86_400;

    /// <summary>Largest definition (all templates and the schema together), in UTF-8 bytes.</summary>
    public const int MaxDefinitionBytes = 256 * 1024;

    /// <summary>Largest run input, in UTF-8 bytes.</summary>
    public const int MaxInputBytes = 256 * 1024;
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>Versions kept per workflow (older ones can no longer be read; their runs keep their copy).</summary>
    public const int MaxVersionsKept = 50;

    /// <summary>The origin of a step's task: <c>workflow-run:{runId}:{stepId}</c>.</summary>
    public const string TaskOriginPrefix = "workflow-run:";

    public static bool IsValidId([NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public static bool IsValidRunId([NotNullWhen(true)] string? id) => id is not null && RunIdRegex().IsMatch(id);

    public static bool IsValidStepId([NotNullWhen(true)] string? id) => id is not null && StepIdRegex().IsMatch(id);

    public static bool IsFinished(WorkflowRunStatus status) => status is WorkflowRunStatus.Succeeded or WorkflowRunStatus.Failed or WorkflowRunStatus.Cancelled;

    public static bool IsFinished(WorkflowStepStatus status) =>
        status is WorkflowStepStatus.Succeeded or WorkflowStepStatus.Failed or WorkflowStepStatus.Skipped or WorkflowStepStatus.Cancelled;

    /// <summary>
    /// The lifecycle: created → validated → staged → active → archived, failed when validation
    /// fails. Validation is handled by <see cref="IWorkflowGrain.ValidateAsync"/> (any state but
    /// archived); an edit returns the workflow to created. Anything not archived may be archived.
    /// </summary>
    public static bool CanTransition(WorkflowStatus from, WorkflowStatus to) => (from, to) switch
    {
        (WorkflowStatus.Validated, WorkflowStatus.Staged) => true,
        (WorkflowStatus.Staged, WorkflowStatus.Active) => true,
        (not WorkflowStatus.Archived, WorkflowStatus.Archived) => true,
        _ => false,
    };

    /// <summary>Test runs need a validated workflow (or later), staging runs a staged one (or active), production runs an active one.</summary>
    public static bool AllowsRun(WorkflowStatus status, WorkflowRunMode mode) => mode switch
    {
        WorkflowRunMode.Test => status is WorkflowStatus.Validated or WorkflowStatus.Staged or WorkflowStatus.Active,
        WorkflowRunMode.Staging => status is WorkflowStatus.Staged or WorkflowStatus.Active,
        WorkflowRunMode.Production => status is WorkflowStatus.Active,
        _ => false,
    };

    public static string NewRunId() => "r_" + IdEncoding.Base32(RandomNumberGenerator.GetBytes(17));

    /// <summary>The run an idempotency key names for a caller and workflow.</summary>
    public static string RunIdForIdempotencyKey(string workflowId, string startedBy, string key) =>
        "r_" + IdEncoding.Base32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(workflowId + "\n" + startedBy + "\n" + key)));

    public static string TaskOrigin(string runId, string stepId) => TaskOriginPrefix + runId + ":" + stepId;

    public static bool TryParseTaskOrigin(string? origin, [NotNullWhen(true)] out string? runId, [NotNullWhen(true)] out string? stepId)
    {
        runId = stepId = null;
        if (origin is null || !origin.StartsWith(TaskOriginPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = origin[TaskOriginPrefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        runId = rest[..colon];
        stepId = rest[(colon + 1)..];
        return IsValidRunId(runId) && IsValidStepId(stepId);
    }


    [GeneratedRegex(IdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex(RunIdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex RunIdRegex();

    [GeneratedRegex(StepIdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex StepIdRegex();
}
