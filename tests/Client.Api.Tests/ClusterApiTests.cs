using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Tests;

[Collection(ApiTestGroup.Name)]
public sealed class ClusterApiTests(ApiFactory factory)
{
    [Fact]
    public async Task Silos_ListTheEmbeddedSiloAsActive()
    {
        var silos = (await factory.CreateClient().GetFromJsonAsync<JsonArray>("/api/cluster/silos"))!;

        var silo = Assert.Single(silos, s => (string?)s!["status"] == "active")!;
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:\d+@\d+$", (string?)silo["address"]);
        Assert.False(string.IsNullOrEmpty((string?)silo["name"]));
        Assert.True(silo["startedAt"]!.GetValue<DateTimeOffset>() <= silo["lastAliveAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0, (int)silo["suspectedBy"]!);
    }

    [Fact]
    public async Task Silos_NeedSystemMetrics() =>
        Assert.Equal(HttpStatusCode.Forbidden,
            (await factory.ClientFor("guest-" + Guid.NewGuid().ToString("N")[..8], OrleansAgents.Security.Roles.Guest).GetAsync("/api/cluster/silos")).StatusCode);
}
