namespace OrleansAgents.Grains.Workflows.Definitions;

/// <summary>A template or condition could not be evaluated (e.g. <c>workflow.template_failed</c>: a required path is missing).</summary>
public sealed class WorkflowTemplateException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
