namespace OrleansAgents.Grains.Agents;

/// <summary>
/// Stored with the Orleans binary serializer: field ids and the alias are the format, so never
/// renumber an [Id] or change the alias; add fields with new ids.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.AgentState.v1")]
public sealed class AgentState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string? Description { get; set; }
    [Id(3)] public List<string> Capabilities { get; set; } = [];
    [Id(4)] public int MaxConcurrentTasks { get; set; }
    [Id(5)] public Dictionary<string, string> Metadata { get; set; } = [];
    [Id(6)] public int ActiveTasks { get; set; }
    [Id(7)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(8)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(9)] public DateTimeOffset LastHeartbeatAt { get; set; }
    [Id(10)] public DateTimeOffset? RetiredAt { get; set; }
    [Id(11)] public long Version { get; set; }

    /// <summary>The Version the capability indexes and the directory reflect.</summary>
    [Id(12)] public long IndexedVersion { get; set; }

    /// <summary>Set by the health sweep when the heartbeat went stale; cleared by the next heartbeat.</summary>
    [Id(13)] public DateTimeOffset? MarkedUnhealthyAt { get; set; }

    /// <summary>Absent in rows written before kinds existed, so those read as Hosted (see AgentKind).</summary>
    [Id(14)] public AgentKind Kind { get; set; }

    /// <summary>Hosted-agent settings (issue 14); absent in older rows, which read as "no model".</summary>
    [Id(15)] public string? Instructions { get; set; }

    [Id(16)] public AgentModel? Model { get; set; }

    [Id(17)] public List<string>? Tools { get; set; }

    [Id(18)] public int? MaxTurns { get; set; }

    [Id(19)] public int? MaxToolCalls { get; set; }

    [Id(20)] public decimal? DailyBudgetUsd { get; set; }

    [Id(21)] public long? DailyBudgetTokens { get; set; }

    public bool NeedsHeartbeat => Kind == AgentKind.External;
}

/// <summary>An agent's task queue; stored apart from the registration so queue traffic does not rewrite it.</summary>
[GenerateSerializer, Alias("OrleansAgents.AgentQueueState.v1")]
public sealed class AgentQueueState
{
    /// <summary>Queued task ids, one FIFO list per priority (index = (int)TaskPriority).</summary>
    [Id(0)] public List<string> High { get; set; } = [];
    [Id(1)] public List<string> Default { get; set; } = [];
    [Id(2)] public List<string> Low { get; set; } = [];

    /// <summary>Tasks holding a slot: started and not yet reported finished.</summary>
    [Id(3)] public HashSet<string> Running { get; set; } = [];

    /// <summary>Tasks stored finished whose follow-ups run: no slot, but held (the watchdog asks them) until they report done.</summary>
    [Id(4)] public HashSet<string> Finishing { get; set; } = [];

    public int QueuedCount => High.Count + Default.Count + Low.Count;

    /// <summary>Whether the agent holds any task (queued, in a slot or finishing).</summary>
    public bool HoldsAny => QueuedCount > 0 || Running.Count > 0 || Finishing.Count > 0;

    /// <summary>The tasks the agent asks on its watchdog ticks and after an activation: those in a slot or finishing.</summary>
    public string[] Started => [.. Running, .. Finishing];

    public List<string> For(TaskPriority priority) => priority switch
    {
        TaskPriority.High => High,
        TaskPriority.Low => Low,
        _ => Default,
    };

    public bool Contains(string taskId) => Running.Contains(taskId) || Finishing.Contains(taskId) || High.Contains(taskId) || Default.Contains(taskId) || Low.Contains(taskId);

    public bool Remove(string taskId) => High.Remove(taskId) || Default.Remove(taskId) || Low.Remove(taskId);

    /// <summary>The next task to start: highest priority first, oldest first within a priority.</summary>
    public string? Dequeue()
    {
        foreach (var list in new[] { High, Default, Low })
        {
            if (list.Count > 0)
            {
                var id = list[0];
                list.RemoveAt(0);
                return id;
            }
        }

        return null;
    }
}
