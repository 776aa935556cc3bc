namespace OrleansAgents.Errors;

/// <summary>Codes of workflow definition findings (<see cref="OrleansAgents.Workflows.WorkflowValidationIssue"/>), run input and template failures.</summary>
public static partial class ErrorCodes
{
    public const string WorkflowInvalidName = "workflow.invalid_name";
    public const string WorkflowInvalidGoal = "workflow.invalid_goal";
    public const string WorkflowDefinitionTooLarge = "workflow.definition_too_large";
    public const string WorkflowNoSteps = "workflow.no_steps";
    public const string WorkflowTooManySteps = "workflow.too_many_steps";
    public const string WorkflowInvalidStepId = "workflow.invalid_step_id";
    public const string WorkflowDuplicateStep = "workflow.duplicate_step";
    public const string WorkflowStepTarget = "workflow.step_target";
    public const string WorkflowInvalidSkill = "workflow.invalid_skill";
    public const string WorkflowUnknownDependency = "workflow.unknown_dependency";
    public const string WorkflowInvalidDependency = "workflow.invalid_dependency";
    public const string WorkflowCycle = "workflow.cycle";
    public const string WorkflowTemplateInvalid = "workflow.template_invalid";
    public const string WorkflowUnknownReference = "workflow.unknown_reference";
    public const string WorkflowConditionInvalid = "workflow.condition_invalid";
    public const string WorkflowInvalidMaxAttempts = "workflow.invalid_max_attempts";
    public const string WorkflowInvalidTimeout = "workflow.invalid_timeout";
    public const string WorkflowSchemaInvalid = "workflow.schema_invalid";
    public const string WorkflowSchemaUnsupported = "workflow.schema_unsupported";
    public const string WorkflowInputInvalid = "workflow.input_invalid";
    public const string WorkflowTemplateFailed = "workflow.template_failed";
    public const string WorkflowUnknownSkill = "workflow.unknown_skill";
    public const string WorkflowUnknownCapability = "workflow.unknown_capability";
    public const string WorkflowUnknownAgent = "workflow.unknown_agent";
    public const string WorkflowSkillNotAllowed = "workflow.skill_not_allowed";
}
