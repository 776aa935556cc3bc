using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansAgents.Tests;

/// <summary>
/// The API in its default embedded mode (in-process silo, in-memory storage), on free ports so
/// it never collides with a silo of another test run. One instance is shared by all API tests.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:ClusterId", "api-tests-" + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Callers without a tier get an effectively unlimited one, so tests of other endpoints are
        // never throttled; rate-limit tests put their own users on real tiers.
        builder.UseSetting("RateLimiting:DefaultTier", "test-unlimited");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerMinute", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerHour", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerDay", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:AiTokensPerDay", "1000000");
        builder.UseSetting("RateLimiting:RouteCosts:GET /api/rate-limits/{userId}", "3");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiTestGroup : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
