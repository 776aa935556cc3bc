namespace OrleansAgents.Grains.Workflows;

/// <summary>A workflow's stored record (Orleans binary serializer: never renumber an [Id] or change the alias).</summary>
[GenerateSerializer, Alias("OrleansAgents.WorkflowRecord.v1")]
public sealed class WorkflowRecord
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public WorkflowStatus Status { get; set; }

    /// <summary>The kept versions, oldest first (at most WorkflowRules.MaxVersionsKept).</summary>
    [Id(2)] public List<WorkflowVersionRecord> Versions { get; set; } = [];
    [Id(3)] public List<WorkflowValidationIssue> Issues { get; set; } = [];
    [Id(4)] public DateTimeOffset? ValidatedAt { get; set; }
    [Id(5)] public string CreatedBy { get; set; } = "";
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public string UpdatedBy { get; set; } = "";
    [Id(8)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(9)] public List<WorkflowChange> History { get; set; } = [];

    /// <summary>Increases with every stored change; orders the read model's writes.</summary>
    [Id(10)] public long Sequence { get; set; }

    /// <summary>The read model has not yet taken the latest change (retried on the next call).</summary>
    [Id(11)] public bool ReadModelPending { get; set; }

    /// <summary>Set when the workflow was generated from a goal (POST /api/workflows/generate).</summary>
    [Id(12)] public WorkflowProvenance? Provenance { get; set; }

    public WorkflowVersionRecord Latest => Versions[^1];
}

[GenerateSerializer, Alias("OrleansAgents.WorkflowVersionRecord.v1")]
public sealed class WorkflowVersionRecord
{
    [Id(0)] public int Version { get; set; }
    [Id(1)] public WorkflowDefinition Definition { get; set; } = null!;
    [Id(2)] public string CreatedBy { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
}
