using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Silo.Hosting;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>
/// A real silo exactly as Silo/Program.cs builds it (Redis clustering, PostgreSQL storage and
/// reminders, health, metrics), on free loopback ports, in this process.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(WebApplication app, int gatewayPort)
    {
        App = app;
        GatewayPort = gatewayPort;
    }

    public WebApplication App { get; }

    public int GatewayPort { get; }

    public Uri HttpAddress => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<SiloProcess> StartAsync(string postgres, string clusterId, IDictionary<string, string?>? extra = null)
    {
        var app = Build(postgres, clusterId, extra, out var gatewayPort);
        await app.StartAsync();
        return new SiloProcess(app, gatewayPort);
    }

    public static WebApplication Build(string postgres, string clusterId, IDictionary<string, string?>? extra, out int gatewayPort)
    {
        gatewayPort = TestEnvironment.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:Redis"] = TestEnvironment.Redis,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = TestEnvironment.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans:ShutdownTimeout"] = "00:00:20",
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAgentsSiloHost();
        var app = builder.Build();
        app.MapAgentsSiloEndpoints();
        return app;
    }

    /// <summary>An Orleans client that talks to this silo's gateway only.</summary>
    public async Task<IHost> ConnectClientAsync(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, GatewayPort));
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
