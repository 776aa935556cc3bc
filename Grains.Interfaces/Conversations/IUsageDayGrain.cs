namespace OrleansAgents.Conversations;

/// <summary>
/// One UTC day's model usage of hosted agents' turns, one row per user, agent and provider/model
/// (key: <see cref="ConversationRules.UsageDayKey"/>): what <c>GET /api/usage?by=</c> groups.
/// </summary>
[Alias("OrleansAgents.IUsageDayGrain")]
public interface IUsageDayGrain : IGrainWithStringKey
{
    /// <summary>Adds one turn's usage to the row of (user, agent, provider/model).</summary>
    [Alias("Record")]
    Task RecordAsync(string user, string agentId, ModelUsage usage);

    /// <summary>The day's rows; only <paramref name="user"/>'s when given.</summary>
    [Alias("List")]
    ValueTask<IReadOnlyList<UsageRow>> ListAsync(string? user);
}

[GenerateSerializer, Immutable, Alias("OrleansAgents.UsageRow")]
public sealed record class UsageRow(
    [property: Id(0)] string User,
    [property: Id(1)] string AgentId,
    [property: Id(2)] ModelUsage Usage);
