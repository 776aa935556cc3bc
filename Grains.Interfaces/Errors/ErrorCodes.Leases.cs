namespace OrleansAgents.Errors;

/// <summary>Codes of the external-worker protocol (docs/api.md, "External agents").</summary>
public static partial class ErrorCodes
{
    /// <summary>The lease token is not the task's current lease: it expired and the task went back to the queue or to another worker.</summary>
    public const string TaskLeaseLost = "task.lease_lost";

    /// <summary>The task was cancelled while a worker held its lease; the worker should stop.</summary>
    public const string TaskCancelled = "task.cancelled";

    public const string LeaseInvalidRequest = "lease.invalid_request";

    /// <summary>Only agents registered with kind <c>external</c> have their tasks leased to workers.</summary>
    public const string AgentNotExternal = "agent.not_external";
}
