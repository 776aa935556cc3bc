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
        UseTestHost(builder, "api-tests-", ManagementPort, SigningKey, AdminPassword);
        builder.UseSetting("RateLimiting:RouteCosts:GET /api/rate-limits/{userId}", "3");
        // The bootstrap admin (whose bucket the admin clients share) stays unthrottled too.
        builder.UseSetting("RateLimiting:RoleTiers:admin", "test-unlimited");
        // Login throttling waits a minute after the fifth failure, so a slow machine cannot outwait it mid-test.
        builder.UseSetting("Security:Lockout:BaseDelay", "00:01:00");
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", ProxyAddress);
    }

    /// <summary>
    /// What every test host of the API shares (this factory and the hosted-agents one): an embedded
    /// silo on free ports in a cluster of its own, quiet logs, an effectively unlimited tier for
    /// callers without one (rate-limit tests put their users on real tiers), and, since it is not
    /// Development, a real signing key and bootstrap admin password.
    /// </summary>
    internal static void UseTestHost(IWebHostBuilder builder, string clusterPrefix, int managementPort, string signingKey, string adminPassword)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        builder.UseEnvironment("Test");
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(invariant));
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString(invariant));
        builder.UseSetting("Orleans:ManagementPort", managementPort.ToString(invariant));
        builder.UseSetting("Orleans:ClusterId", clusterPrefix + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("RateLimiting:DefaultTier", "test-unlimited");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerMinute", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerHour", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:PerDay", "1000000");
        builder.UseSetting("RateLimiting:Tiers:test-unlimited:AiTokensPerDay", "1000000");
        // Test clients have no address, so every anonymous request shares one bucket; TierTests puts it back on the real tier.
        builder.UseSetting("RateLimiting:AnonymousTier", "test-unlimited");
        builder.UseSetting("Security:SigningKeys:0:Id", "test-1");
        builder.UseSetting("Security:SigningKeys:0:Key", signingKey);
        builder.UseSetting("Security:BootstrapAdminPassword", adminPassword);
    }

    /// <summary>The one proxy whose X-Forwarded-For the API believes.</summary>
    public const string ProxyAddress = "10.0.0.1";

    /// <summary>A client whose connection comes from <paramref name="remote"/>.</summary>
    public HttpClient FromAddress(string remote) =>
        new(Server.CreateHandler(c => c.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remote))) { BaseAddress = new Uri("http://localhost") };

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
    public HttpClient ManagementClient() => OnLocalPort(this, ManagementPort);

    /// <summary>A client whose connections the server sees as accepted on <paramref name="localPort"/> (the test server has no sockets).</summary>
    public static HttpClient OnLocalPort(WebApplicationFactory<Program> app, int localPort) =>
        new(app.Server.CreateHandler(c => c.Connection.LocalPort = localPort)) { BaseAddress = new Uri($"http://localhost:{localPort}") };

    public HttpClient AnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    internal static int FreePort()
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
