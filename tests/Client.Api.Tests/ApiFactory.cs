using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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
        builder.UseSetting("Orleans:ManagementPort", ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
        // The bootstrap admin (whose bucket the admin clients share) stays unthrottled too.
        builder.UseSetting("RateLimiting:RoleTiers:admin", "test-unlimited");
        // Not Development: the API insists on a real signing key and a bootstrap admin password.
        builder.UseSetting("Security:SigningKeys:0:Id", "test-1");
        builder.UseSetting("Security:SigningKeys:0:Key", SigningKey);
        builder.UseSetting("Security:BootstrapAdminPassword", AdminPassword);
    }

    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";
    public const string AdminPassword = "test-admin-password-1";

    /// <summary>Clients from CreateClient() act as the admin; use <see cref="ClientFor"/> or <see cref="AnonymousClient"/> otherwise.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new("Bearer", TokenFor("admin", OrleansAgents.Security.Roles.Admin));
    }

    /// <summary>A real access token, signed by the API's own issuer, for any subject and roles.</summary>
    public string TokenFor(string subject, params string[] roles) =>
        Services.GetRequiredService<OrleansAgents.Api.Security.TokenIssuer>().Issue(subject, roles, "user", null).Token;

    public HttpClient ClientFor(string subject, params string[] roles)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TokenFor(subject, roles));
        return client;
    }

    public int ManagementPort { get; } = FreePort();

    /// <summary>A client of the management port (/metrics, /dashboard); they answer nowhere else.</summary>
    public HttpClient ManagementClient()
    {
        var client = AnonymousClient();
        client.BaseAddress = new Uri($"http://localhost:{ManagementPort}");
        return client;
    }

    public HttpClient AnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
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
