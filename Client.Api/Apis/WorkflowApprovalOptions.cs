namespace OrleansAgents.Api.Apis;

/// <summary>The API's part of section <c>Workflows</c>: who may decide an approval gate.</summary>
public sealed class WorkflowApprovalOptions
{
    /// <summary>
    /// Whether the subject that started a run may approve or reject its gates. Off by default: a gate
    /// exists so that a second person looks at the run (separation of duties).
    /// </summary>
    public bool AllowSelfApproval { get; set; }
}
