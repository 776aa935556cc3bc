using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Silo.Hosting;

/// <summary>Everything the silo host reads from configuration (appsettings + environment).</summary>
public sealed class SiloSettings
{
    public const string Section = "Orleans";

    /// <summary>Silos and clients with the same ClusterId form one cluster.</summary>
    public string ClusterId { get; set; } = "orleans-agents";

    /// <summary>Stays the same across deployments: grain state and reminders are keyed by it.</summary>
    public string ServiceId { get; set; } = "orleans-agents";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on; default: the first non-loopback IPv4.</summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>How long SIGTERM waits for grains to hand off before the process exits.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(45);

    public bool DashboardEnabled { get; set; } = true;

    /// <summary>
    /// How long a silo waits for a membership probe answer. With <see cref="NumMissedProbesLimit"/> it
    /// bounds how fast a dead silo is declared dead (Orleans' defaults, 5 s x 3, take about 15 s; calls
    /// to grains that lived there fail or wait until then).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Missed probes after which a silo votes another one dead (two votes declare it).</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// Orleans' shortest reminder period (its default is 1 minute when unset). Only tests and the
    /// chaos suite lower it, to run watchdogs every few seconds.
    /// </summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>
    /// How long this silo's own row may be missing from the membership table before the silo stops
    /// (exit code 6) to rejoin: a Redis without persistence that restarts comes back empty, and
    /// Orleans then runs on beside silos started since, which cannot see it (see MembershipEntryWatch).
    /// </summary>
    public TimeSpan MembershipLossGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>From ConnectionStrings:Postgres.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>From ConnectionStrings:Redis.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// From the environment variable POD_NAME (the Deployment sets it from the downward API). When set,
    /// the silo uses Orleans' Kubernetes hosting: it names itself after its pod, labels the pod with its
    /// cluster and service ids and deletes the pods of silos the cluster declared dead.
    /// </summary>
    public string? KubernetesPodName { get; set; }

    /// <summary>ORLEANS_CLUSTER_ID and ORLEANS_SERVICE_ID, which Orleans' Kubernetes hosting also reads.</summary>
    public string? KubernetesClusterId { get; set; }

    public string? KubernetesServiceId { get; set; }

    public bool RunsInKubernetes => !string.IsNullOrWhiteSpace(KubernetesPodName);
}

internal sealed class SiloSettingsValidator : IValidateOptions<SiloSettings>
{
    public ValidateOptionsResult Validate(string? name, SiloSettings s)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(s.PostgresConnectionString))
        {
            errors.Add("ConnectionStrings:Postgres is required (environment: ConnectionStrings__Postgres), e.g. Host=127.0.0.1;Port=5432;Database=orleans_agents;Username=postgres.");
        }

        if (string.IsNullOrWhiteSpace(s.RedisConnectionString))
        {
            errors.Add("ConnectionStrings:Redis is required (environment: ConnectionStrings__Redis), e.g. 127.0.0.1:6379.");
        }

        if (string.IsNullOrWhiteSpace(s.ClusterId))
        {
            errors.Add("Orleans:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(s.ServiceId))
        {
            errors.Add("Orleans:ServiceId must not be empty.");
        }

        if (s.SiloPort is < 1 or > 65535)
        {
            errors.Add($"Orleans:SiloPort must be a TCP port (was {s.SiloPort}).");
        }

        if (s.GatewayPort is < 1 or > 65535 || s.GatewayPort == s.SiloPort)
        {
            errors.Add($"Orleans:GatewayPort must be a TCP port different from SiloPort (was {s.GatewayPort}).");
        }

        if (s.AdvertisedIPAddress is not null && !IPAddress.TryParse(s.AdvertisedIPAddress, out _))
        {
            errors.Add($"Orleans:AdvertisedIPAddress must be an IP address (was '{s.AdvertisedIPAddress}').");
        }

        // Orleans' Kubernetes hosting would silently override our ids with these; refuse a disagreement instead.
        if (!string.IsNullOrWhiteSpace(s.KubernetesClusterId) && s.KubernetesClusterId != s.ClusterId)
        {
            errors.Add($"ORLEANS_CLUSTER_ID ('{s.KubernetesClusterId}') differs from Orleans:ClusterId ('{s.ClusterId}'); set both from the pod label orleans/clusterId.");
        }

        if (!string.IsNullOrWhiteSpace(s.KubernetesServiceId) && s.KubernetesServiceId != s.ServiceId)
        {
            errors.Add($"ORLEANS_SERVICE_ID ('{s.KubernetesServiceId}') differs from Orleans:ServiceId ('{s.ServiceId}'); set both from the pod label orleans/serviceId.");
        }

        if (s.ProbeTimeout <= TimeSpan.Zero || s.ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Orleans:ProbeTimeout must be above 0 and at most 1 minute (was {s.ProbeTimeout}).");
        }

        if (s.NumMissedProbesLimit is < 1 or > 10)
        {
            errors.Add($"Orleans:NumMissedProbesLimit must be between 1 and 10 (was {s.NumMissedProbesLimit}).");
        }

        if (s.MinimumReminderPeriod is { } period && period <= TimeSpan.Zero)
        {
            errors.Add($"Orleans:MinimumReminderPeriod must be positive (was {period}).");
        }

        if (s.MembershipLossGrace < TimeSpan.FromSeconds(2) || s.MembershipLossGrace > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Orleans:MembershipLossGrace must be between 2 seconds and 10 minutes (was {s.MembershipLossGrace}).");
        }

        if (s.ShutdownTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Orleans:ShutdownTimeout must be positive (was {s.ShutdownTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
