namespace OrleansAgents.Hosting;

public static class HealthTags
{
    /// <summary>Checks that decide readiness; liveness runs none (the process answering is enough).</summary>
    public const string Ready = "ready";
}
