using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Silo.Hosting;

/// <summary>Everything the silo host reads from configuration (appsettings + environment).</summary>
public sealed class SiloSettings
{
    public const string Section = "Orleans";

    /// <summary>Silos and clients with the same ClusterId form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "orleans-agents";

    /// <summary>Stays the same across deployments: grain state and reminders are keyed by it.</summary>
    [Required]
    public string ServiceId { get; set; } = "orleans-agents";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on; default: the first non-loopback IPv4.</summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>How long SIGTERM waits for grains to hand off before the process exits.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(45);

    public bool DashboardEnabled { get; set; } = true;

    /// <summary>
    /// How long a silo waits for a membership probe answer. With <see cref="NumMissedProbesLimit"/> it
    /// bounds how fast a dead silo is declared dead (Orleans' defaults, 5 s x 3, take about 15 s; calls
    /// to grains that lived there fail or wait until then).
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Missed probes after which a silo votes another one dead (two votes declare it).</summary>
    [Range(1, 10)]
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// Orleans' shortest reminder period (its default is 1 minute when unset). Only tests and the
    /// chaos suite lower it, to run watchdogs every few seconds.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>
    /// How long this silo's own row may be missing from the membership table before the silo stops
    /// (exit code 6) to rejoin: a Redis without persistence that restarts comes back empty, and
    /// Orleans then runs on beside silos started since, which cannot see it (see MembershipEntryWatch).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
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

/// <summary>
/// The bounds above, generated from their data annotations (run by <c>SiloHosting.ReadSettings</c>, before there is a
/// host to register options in); <see cref="OtherFailures"/> are the connection strings, the address and the rules
/// across settings and the Kubernetes environment.
/// </summary>
[OptionsValidator]
internal sealed partial class SiloSettingsValidator : IValidateOptions<SiloSettings>
{
    internal static IEnumerable<string> OtherFailures(SiloSettings s)
    {
        if (string.IsNullOrWhiteSpace(s.PostgresConnectionString))
        {
            yield return "ConnectionStrings:Postgres is required (environment: ConnectionStrings__Postgres), e.g. Host=127.0.0.1;Port=5432;Database=orleans_agents;Username=postgres.";
        }

        if (string.IsNullOrWhiteSpace(s.RedisConnectionString))
        {
            yield return "ConnectionStrings:Redis is required (environment: ConnectionStrings__Redis), e.g. 127.0.0.1:6379.";
        }

        if (s.GatewayPort == s.SiloPort)
        {
            yield return $"Orleans:GatewayPort must be different from SiloPort (both {s.GatewayPort}).";
        }

        if (s.AdvertisedIPAddress is not null && !IPAddress.TryParse(s.AdvertisedIPAddress, out _))
        {
            yield return $"Orleans:AdvertisedIPAddress must be an IP address (was '{s.AdvertisedIPAddress}').";
        }

        // Orleans' Kubernetes hosting would silently override our ids with these; refuse a disagreement instead.
        if (!string.IsNullOrWhiteSpace(s.KubernetesClusterId) && s.KubernetesClusterId != s.ClusterId)
        {
            yield return $"ORLEANS_CLUSTER_ID ('{s.KubernetesClusterId}') differs from Orleans:ClusterId ('{s.ClusterId}'); set both from the pod label orleans/clusterId.";
        }

        if (!string.IsNullOrWhiteSpace(s.KubernetesServiceId) && s.KubernetesServiceId != s.ServiceId)
        {
            yield return $"ORLEANS_SERVICE_ID ('{s.KubernetesServiceId}') differs from Orleans:ServiceId ('{s.ServiceId}'); set both from the pod label orleans/serviceId.";
        }
    }
}
