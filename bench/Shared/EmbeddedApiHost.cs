using System.Globalization;
using OrleansAgents.Api.Hosting;

namespace OrleansAgents.Bench;

/// <summary>
/// The API in its embedded mode (in-process silo, in-memory storage) on free loopback ports, as
/// the HTTP benches run it: no dashboard, errors-only logging, a fresh signing key, the bootstrap
/// admin, and a rate-limit tier ("bench") too large to limit anything, so a bench measures the
/// path it names and not the limiter.
/// </summary>
internal static class EmbeddedApiHost
{
    public const string AdminPassword = "bench-admin-password";

    /// <summary>Builds the API; <paramref name="settings"/> are added after the defaults (they win).</summary>
    public static WebApplication Build(string clusterId, int port, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Bench" });
        var values = new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Orleans:SiloPort"] = BenchArgs.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchArgs.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:DashboardEnabled"] = "false",
            ["Orleans:ManagementPort"] = BenchArgs.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Error",
            ["RateLimiting:DefaultTier"] = "bench",
            ["RateLimiting:Tiers:bench:PerMinute"] = "100000000",
            ["RateLimiting:Tiers:bench:PerHour"] = "100000000",
            ["RateLimiting:Tiers:bench:PerDay"] = "100000000",
            ["RateLimiting:Tiers:bench:AiTokensPerDay"] = "1",
            ["Tasks:QueueCapacity"] = "1000000",
            ["Tasks:LogRetention"] = "10",
            ["Security:SigningKeys:0:Id"] = "bench",
            ["Security:SigningKeys:0:Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
            ["Security:BootstrapAdminPassword"] = AdminPassword,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddAgentsApi();
        var app = builder.Build();
        app.UseAgentsApi();
        return app;
    }
}
