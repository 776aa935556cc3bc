using OrleansAgents.Tests.Infrastructure;

namespace OrleansAgents.Tests.Trust;

/// <summary>Small partitions and batches so that every computation crosses partition and batch edges.</summary>
public sealed class TrustClusterFixture : RegistryClusterFixture
{
    public static readonly IReadOnlyList<string> PreTrusted = ["agent-00000", "agent-00001", "agent-00002"];

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Trust:PreTrusted:0"] = PreTrusted[0],
        ["Trust:PreTrusted:1"] = PreTrusted[1],
        ["Trust:PreTrusted:2"] = PreTrusted[2],
        ["Trust:Partitions"] = "3",
        ["Trust:BatchSize"] = "7",
        ["Trust:RecentEventsPerRow"] = "4",
        ["Trust:ReadCacheDuration"] = "00:00:00",
        ["Trust:RoutingCacheDuration"] = "00:00:00",
        ["Trust:RoutingExploration"] = "0",
    };
}
