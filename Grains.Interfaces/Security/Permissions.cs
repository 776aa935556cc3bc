namespace OrleansAgents.Security;

/// <summary>
/// Every permission an endpoint can require, and the one table of which role grants which.
/// Names are part of the API (they appear in tokens and in 403 problems): never rename, only add.
/// </summary>
public static class Permissions
{
    public const string AgentCreate = "agent:create";
    public const string AgentRead = "agent:read";
    public const string AgentUpdate = "agent:update";
    public const string AgentDelete = "agent:delete";
    public const string AgentExecute = "agent:execute";
    public const string WorkflowCreate = "workflow:create";
    public const string WorkflowRead = "workflow:read";
    public const string WorkflowUpdate = "workflow:update";
    public const string WorkflowDelete = "workflow:delete";
    public const string WorkflowExecute = "workflow:execute";
    public const string WorkflowDeploy = "workflow:deploy";
    public const string MemoryCreate = "memory:create";
    public const string MemoryRead = "memory:read";
    public const string MemoryUpdate = "memory:update";
    public const string MemoryDelete = "memory:delete";
    public const string SystemAdmin = "system:admin";
    public const string SystemConfig = "system:config";
    public const string SystemMetrics = "system:metrics";
    public const string SystemAudit = "system:audit";
    public const string UserCreate = "user:create";
    public const string UserRead = "user:read";
    public const string UserUpdate = "user:update";
    public const string UserDelete = "user:delete";
    public const string TrustRead = "trust:read";
    public const string TrustRate = "trust:rate";
    public const string TrustAdmin = "trust:admin";
    public const string SwarmExecute = "swarm:execute";
    public const string SwarmRead = "swarm:read";

    // Objects have an owner (who submitted or started them). These let a holder read or act on
    // anybody's; without them a caller sees and touches only its own (issue 17, BOLA).
    public const string TaskReadAny = "task:read-any";
    public const string TaskManageAny = "task:manage-any";
    public const string WorkflowRunReadAny = "workflow:read-any";
    public const string WorkflowRunManageAny = "workflow:manage-any";
    public const string SwarmReadAny = "swarm:read-any";
    public const string SwarmManageAny = "swarm:manage-any";

    /// <summary>Write the memory of an agent the caller does not own (the agent's <c>owner</c> is its registrant).</summary>
    public const string MemoryWriteAny = "memory:write-any";

    /// <summary>Read every user's conversations with hosted agents (owners read their own without it).</summary>
    public const string ConversationReadAny = "conversation:read-any";

    /// <summary>
    /// Approve or reject a run's approval gate. Separate from workflow:execute so the people who
    /// start runs are not the ones who let them through (issue 17, separation of duties).
    /// </summary>
    public const string WorkflowApprove = "workflow:approve";

    public static readonly IReadOnlyList<string> All =
    [
        AgentCreate, AgentRead, AgentUpdate, AgentDelete, AgentExecute,
        WorkflowCreate, WorkflowRead, WorkflowUpdate, WorkflowDelete, WorkflowExecute, WorkflowDeploy,
        MemoryCreate, MemoryRead, MemoryUpdate, MemoryDelete,
        SystemAdmin, SystemConfig, SystemMetrics, SystemAudit,
        UserCreate, UserRead, UserUpdate, UserDelete,
        TrustRead, TrustRate, TrustAdmin, SwarmExecute, SwarmRead,
        TaskReadAny, TaskManageAny, WorkflowRunReadAny, WorkflowRunManageAny, SwarmReadAny, SwarmManageAny, MemoryWriteAny, ConversationReadAny,
        WorkflowApprove,
    ];
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Developer = "developer";
    public const string Analyst = "analyst";
    public const string Operator = "operator";
    public const string Viewer = "viewer";
    public const string Guest = "guest";

    public static readonly IReadOnlyList<string> All = [Admin, Developer, Analyst, Operator, Viewer, Guest];

    /// <summary>
    /// The role → permission table (docs/security.md shows the same table). A user's permissions
    /// are the union over their roles.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Grants = new Dictionary<string, IReadOnlySet<string>>
    {
        [Admin] = new HashSet<string>(Permissions.All),
        [Developer] = new HashSet<string>
        {
            Permissions.AgentCreate, Permissions.AgentRead, Permissions.AgentUpdate, Permissions.AgentDelete, Permissions.AgentExecute,
            Permissions.WorkflowCreate, Permissions.WorkflowRead, Permissions.WorkflowUpdate, Permissions.WorkflowDelete, Permissions.WorkflowExecute,
            Permissions.MemoryCreate, Permissions.MemoryRead, Permissions.MemoryUpdate, Permissions.MemoryDelete,
            Permissions.SystemMetrics, Permissions.TrustRead, Permissions.TrustRate, Permissions.SwarmExecute, Permissions.SwarmRead,
        },
        [Analyst] = new HashSet<string>
        {
            Permissions.AgentRead, Permissions.AgentExecute, Permissions.WorkflowRead, Permissions.WorkflowExecute,
            Permissions.MemoryRead, Permissions.SystemMetrics, Permissions.TrustRead, Permissions.TrustRate,
            Permissions.SwarmExecute, Permissions.SwarmRead,
        },
        [Operator] = new HashSet<string>
        {
            Permissions.AgentRead, Permissions.AgentUpdate, Permissions.WorkflowRead, Permissions.WorkflowDeploy,
            Permissions.MemoryRead, Permissions.SystemConfig, Permissions.SystemMetrics, Permissions.SystemAudit, Permissions.UserRead,
            Permissions.TrustRead, Permissions.TrustAdmin, Permissions.SwarmRead,
            Permissions.TaskReadAny, Permissions.TaskManageAny, Permissions.WorkflowRunReadAny, Permissions.WorkflowRunManageAny,
            Permissions.SwarmReadAny, Permissions.SwarmManageAny,
            Permissions.ConversationReadAny, Permissions.WorkflowApprove,
        },
        [Viewer] = new HashSet<string>
        {
            Permissions.AgentRead, Permissions.WorkflowRead, Permissions.MemoryRead, Permissions.SystemMetrics,
            Permissions.TrustRead, Permissions.SwarmRead,
        },
        [Guest] = new HashSet<string> { Permissions.AgentRead },
    };

    public static bool IsKnown(string role) => Grants.ContainsKey(role);

    public static IReadOnlySet<string> PermissionsOf(IEnumerable<string> roles) =>
        roles.Where(Grants.ContainsKey).SelectMany(r => Grants[r]).ToHashSet(StringComparer.Ordinal);
}
