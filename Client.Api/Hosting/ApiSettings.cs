namespace OrleansAgents.Api.Hosting;

public enum ClusterMode
{
    /// <summary>An in-process silo with localhost clustering and in-memory storage: one command, nothing durable.</summary>
    Embedded,

    /// <summary>An Orleans client of the silos registered in Redis.</summary>
    Client,
}

/// <summary>Section <c>Orleans</c> as the API reads it.</summary>
public sealed class ApiSettings
{
    public const string Section = "Orleans";

    /// <summary>Default: Client when ConnectionStrings:Redis is set, Embedded otherwise.</summary>
    public ClusterMode? Mode { get; set; }

    public string ClusterId { get; set; } = "orleans-agents";

    public string ServiceId { get; set; } = "orleans-agents";

    /// <summary>Ports of the embedded silo (Embedded mode only).</summary>
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public bool DashboardEnabled { get; set; } = true;

    /// <summary>
    /// The management port: /metrics and the dashboard are served only here, never on the public
    /// port (Urls). Keep it off the Ingress; Prometheus scrapes it in-cluster.
    /// </summary>
    public int ManagementPort { get; set; } = 8091;

    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Client mode: how long a repeatable request still waits for its grain call after a gateway
    /// connection dropped before the API gives up on it and sends the call again through a live
    /// gateway. Without it, a call sent through the dead gateway waits Orleans' 30 s response timeout.
    /// </summary>
    public TimeSpan GatewayLossGrace { get; set; } = TimeSpan.FromSeconds(3);

    public ClusterMode EffectiveMode => Mode ?? (string.IsNullOrWhiteSpace(RedisConnectionString) ? ClusterMode.Embedded : ClusterMode.Client);

    public static ApiSettings Read(IConfiguration configuration)
    {
        var settings = new ApiSettings();
        configuration.GetSection(Section).Bind(settings);
        settings.RedisConnectionString = configuration.GetConnectionString("Redis");
        var errors = new List<string>();
        if (settings.EffectiveMode == ClusterMode.Client && string.IsNullOrWhiteSpace(settings.RedisConnectionString))
        {
            errors.Add("Orleans:Mode is Client but ConnectionStrings:Redis is not set (environment: ConnectionStrings__Redis).");
        }

        if (string.IsNullOrWhiteSpace(settings.ClusterId) || string.IsNullOrWhiteSpace(settings.ServiceId))
        {
            errors.Add("Orleans:ClusterId and Orleans:ServiceId must not be empty.");
        }

        if (settings.SiloPort is < 1 or > 65535 || settings.GatewayPort is < 1 or > 65535 || settings.SiloPort == settings.GatewayPort)
        {
            errors.Add($"Orleans:SiloPort and Orleans:GatewayPort must be two different TCP ports (were {settings.SiloPort}, {settings.GatewayPort}).");
        }

        if (settings.ManagementPort is < 1 or > 65535)
        {
            errors.Add($"Orleans:ManagementPort must be a TCP port (was {settings.ManagementPort}).");
        }

        if (settings.GatewayLossGrace <= TimeSpan.Zero || settings.GatewayLossGrace > TimeSpan.FromSeconds(30))
        {
            errors.Add($"Orleans:GatewayLossGrace must be more than 0 and at most 00:00:30 (was {settings.GatewayLossGrace}).");
        }

        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(ApiSettings), errors);
        }

        return settings;
    }
}
