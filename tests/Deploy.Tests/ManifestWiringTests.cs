using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.Hosting;
using OrleansAgents.Silo.Hosting;

namespace OrleansAgents.Deploy.Tests;

/// <summary>Both overlays render, and what they render is wired together the way the code expects.</summary>
public sealed class ManifestWiringTests
{
    private const string Silo = "orleans-agents-silo";
    private const string Api = "orleans-agents-api";
    private static readonly string[] ExternalSecretKeys = ["postgres", "redis", "signing-key", "admin-password"];
    private static readonly ConcurrentDictionary<string, RenderedManifests> Rendered = new();

    public static TheoryData<string> Overlays => new() { "dev", "prod" };

    private static RenderedManifests Render(string overlay) => Rendered.GetOrAdd(overlay, RenderedManifests.Render);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Workloads_SelectorsMatchTheirPodLabels_AndEveryServiceSelectsAWorkload(string overlay)
    {
        var m = Render(overlay);
        var podTemplates = m.All<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Selector, d.Spec.Template))
            .Concat(m.All<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Selector, s.Spec.Template)))
            .ToList();
        Assert.NotEmpty(podTemplates);
        foreach (var (name, selector, template) in podTemplates)
        {
            Assert.True(Matches(selector.MatchLabels, template.Metadata.Labels), $"{name}: selector does not match its pod labels");
        }

        foreach (var service in m.All<V1Service>())
        {
            var targets = podTemplates.Where(p => Matches(service.Spec.Selector, p.Template.Metadata.Labels)).ToList();
            var target = Assert.Single(targets);
            foreach (var port in service.Spec.Ports)
            {
                Assert.True(ContainerPort(target.Template, port.TargetPort.Value) is not null,
                    $"Service {service.Metadata.Name} targets port '{port.TargetPort.Value}' that {target.Name} does not declare");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Silo_EnvVarsAreSettingsTheSiloReads_AndItsPortsAgreeWithThem(string overlay)
    {
        var m = Render(overlay);
        var deployment = m.Named<V1Deployment>(Silo);
        var pod = deployment.Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);

        var known = typeof(SiloSettings).GetProperties().Where(p => p.CanWrite).Select(p => "Orleans__" + p.Name)
            .Concat(typeof(ClusterTlsOptions).GetProperties().Where(p => p.CanWrite).Select(p => "Orleans__Tls__" + p.Name))
            .Concat(["Urls", "ConnectionStrings__Postgres", "ConnectionStrings__Redis", "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID"])
            .ToHashSet();
        foreach (var env in container.Env)
        {
            Assert.True(known.Contains(env.Name), $"the silo reads no setting called {env.Name}");
        }

        // Orleans' Kubernetes hosting: downward API for the pod's identity and the label-based cluster ids.
        Assert.Equal("metadata.name", FieldRef(container, "POD_NAME"));
        Assert.Equal("metadata.namespace", FieldRef(container, "POD_NAMESPACE"));
        Assert.Equal("status.podIP", FieldRef(container, "POD_IP"));
        Assert.Equal("status.podIP", FieldRef(container, "Orleans__AdvertisedIPAddress"));
        Assert.Equal("metadata.labels['orleans/clusterId']", FieldRef(container, "ORLEANS_CLUSTER_ID"));
        Assert.Equal("metadata.labels['orleans/serviceId']", FieldRef(container, "ORLEANS_SERVICE_ID"));
        Assert.Equal("metadata.labels['orleans/clusterId']", FieldRef(container, "Orleans__ClusterId"));
        Assert.Equal("metadata.labels['orleans/serviceId']", FieldRef(container, "Orleans__ServiceId"));
        Assert.False(string.IsNullOrWhiteSpace(pod.Metadata.Labels["orleans/clusterId"]));
        Assert.False(string.IsNullOrWhiteSpace(pod.Metadata.Labels["orleans/serviceId"]));

        // The silo's own settings reader accepts what the pod would see, and the declared ports are the ones it uses.
        var settings = SiloHosting.ReadSettings(PodConfiguration(m, pod, container));
        Assert.True(settings.RunsInKubernetes);
        Assert.Equal(settings.SiloPort, ContainerPort(pod, "silo"));
        Assert.Equal(settings.GatewayPort, ContainerPort(pod, "gateway"));
        Assert.Equal(UrlsPort(container), ContainerPort(pod, "management"));
        Assert.Equal("0.0.0.0", new Uri(Env(container, "Urls")!).Host);

        // SIGTERM must leave time for the silo to hand off its grains.
        Assert.True(pod.Spec.TerminationGracePeriodSeconds > settings.ShutdownTimeout.TotalSeconds + 5,
            $"terminationGracePeriodSeconds {pod.Spec.TerminationGracePeriodSeconds} is not above Orleans:ShutdownTimeout {settings.ShutdownTimeout}");
        Assert.NotNull(container.Resources?.Requests);
        Assert.NotNull(container.Resources?.Limits);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_PointToTheHealthEndpointsOnTheManagementPort(string overlay)
    {
        var m = Render(overlay);
        foreach (var (name, port) in new[] { (Silo, "management"), (Api, "http") })
        {
            var pod = m.Named<V1Deployment>(name).Spec.Template;
            var container = Assert.Single(pod.Spec.Containers);
            Assert.Equal(HealthEndpoints.ReadyPath, container.ReadinessProbe.HttpGet.Path);
            Assert.Equal(HealthEndpoints.ReadyPath, container.StartupProbe.HttpGet.Path);
            Assert.Equal(HealthEndpoints.LivePath, container.LivenessProbe.HttpGet.Path);
            foreach (var probe in new[] { container.ReadinessProbe, container.StartupProbe, container.LivenessProbe })
            {
                Assert.Equal(port, probe.HttpGet.Port.Value);
                Assert.Equal(UrlsPort(container), ContainerPort(pod, probe.HttpGet.Port.Value));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Rbac_AllowsWhatOrleansKubernetesHostingDoes_ForTheSilosServiceAccount(string overlay)
    {
        var m = Render(overlay);
        var account = m.Named<V1Deployment>(Silo).Spec.Template.Spec.ServiceAccountName;
        Assert.Single(m.All<V1ServiceAccount>(), a => a.Metadata.Name == account);
        var binding = Assert.Single(m.All<V1RoleBinding>(), b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account));
        Assert.Equal("Role", binding.RoleRef.Kind);
        var role = m.Named<V1Role>(binding.RoleRef.Name);

        // Reads and labels its own pod, lists and watches the cluster's pods, deletes pods of dead silos.
        string[] needed = ["get", "list", "watch", "patch", "delete"];
        var podRules = role.Rules.Where(r => r.ApiGroups.Contains("") && r.Resources.Contains("pods")).ToList();
        foreach (var verb in needed)
        {
            Assert.True(podRules.Any(r => r.Verbs.Contains(verb)), $"Role {role.Metadata.Name} does not allow '{verb}' on pods");
        }

        Assert.DoesNotContain(role.Rules, r => r.Resources.Contains("*") || r.Verbs.Contains("*"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Api_IsAClientOfTheSameCluster_ListeningOnAllInterfaces(string overlay)
    {
        var m = Render(overlay);
        var siloLabels = m.Named<V1Deployment>(Silo).Spec.Template.Metadata.Labels;
        var pod = m.Named<V1Deployment>(Api).Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        var config = PodConfiguration(m, pod, container);

        Assert.Equal(siloLabels["orleans/clusterId"], config["Orleans:ClusterId"]);
        Assert.Equal(siloLabels["orleans/serviceId"], config["Orleans:ServiceId"]);
        Assert.Equal("Client", config["Orleans:Mode"]);
        Assert.False(string.IsNullOrWhiteSpace(config.GetConnectionString("Redis")));
        Assert.Equal("0.0.0.0", new Uri(config["Urls"]!).Host);
        Assert.Equal(UrlsPort(container), ContainerPort(pod, "http"));
        // /metrics and the dashboard answer only on the management port, which the ServiceMonitor scrapes.
        Assert.Equal(config["Orleans:ManagementPort"], ContainerPort(pod, "management")?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["dotnet", "/app/api/OrleansAgents.Api.dll"], container.Command);
        Assert.Equal("/app/api", container.WorkingDir);
        Assert.Equal(m.Named<V1Deployment>(Silo).Spec.Template.Spec.Containers[0].Image, container.Image);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void MigrationJob_RunsMigrateWithThePostgresConnection(string overlay)
    {
        var m = Render(overlay);
        var job = m.Named<V1Job>("orleans-agents-migrate");
        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(["migrate"], container.Args);
        Assert.Null(container.Command);
        Assert.Equal(m.Named<V1Deployment>(Silo).Spec.Template.Spec.Containers[0].Image, container.Image);
        Assert.False(string.IsNullOrWhiteSpace(PodConfiguration(m, job.Spec.Template, container).GetConnectionString("Postgres")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void DisruptionBudgetAndAutoscaler_TargetTheSilos(string overlay)
    {
        var m = Render(overlay);
        var silo = m.Named<V1Deployment>(Silo);
        var pdb = Assert.Single(m.All<V1PodDisruptionBudget>());
        Assert.True(Matches(pdb.Spec.Selector.MatchLabels, silo.Spec.Template.Metadata.Labels));
        Assert.Equal(1, pdb.Spec.MaxUnavailable.Value is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 1);
        var hpa = Assert.Single(m.All<V2HorizontalPodAutoscaler>());
        Assert.Equal(("Deployment", Silo), (hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.True(hpa.Spec.MinReplicas >= 2);
        Assert.True(silo.Spec.Replicas >= hpa.Spec.MinReplicas);
    }

    [Fact]
    public void Prod_RunsThreeSilos_TakesConnectionsFromAnExternalSecret_AndExposesOnlyTheApi()
    {
        var m = Render("prod");
        Assert.Equal(3, m.Named<V1Deployment>(Silo).Spec.Replicas);
        Assert.Empty(m.All<V1StatefulSet>());
        Assert.DoesNotContain(m.All<V1Secret>(), s => s.Metadata.Name == "orleans-agents-connections");
        Assert.Equal(["/api"], m.Named<V1Ingress>(Api).Spec.Rules.SelectMany(r => r.Http.Paths).Select(p => p.Path));
        foreach (var path in m.All<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths))
        {
            Assert.Equal(Api, path.Backend.Service.Name);
            Assert.Equal("http", path.Backend.Service.Port.Name);
        }
    }

    [Fact]
    public void Prod_RoutesTheConsoleAndBlazorsPathsToTheApi_WithLongLivedWebSocketsOnOnePod()
    {
        var m = Render("prod");
        var console = m.Named<V1Ingress>("orleans-agents-console");
        var paths = console.Spec.Rules.SelectMany(r => r.Http.Paths).ToList();
        Assert.Equal(["/_blazor", "/_content", "/_framework", "/console", "/console-assets"], paths.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.All(paths, p => Assert.Equal("Prefix", p.PathType));
        // A circuit is a WebSocket held open for the whole visit, in one API pod's memory.
        var annotations = console.Metadata.Annotations;
        Assert.True(int.Parse(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"], System.Globalization.CultureInfo.InvariantCulture) >= 3600);
        Assert.True(int.Parse(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"], System.Globalization.CultureInfo.InvariantCulture) >= 3600);
        Assert.Equal("cookie", annotations["nginx.ingress.kubernetes.io/affinity"]);
        Assert.Equal(m.Named<V1Ingress>(Api).Spec.Tls.Single().SecretName, console.Spec.Tls.Single().SecretName);
    }

    [Fact]
    public void Dev_RunsPostgresWithAVolumeAndRedis_AndItsSecretPointsAtThem()
    {
        var m = Render("dev");
        var postgres = Assert.Single(m.All<V1StatefulSet>());
        Assert.NotEmpty(postgres.Spec.VolumeClaimTemplates);
        var secret = Assert.Single(m.All<V1Secret>(), s => s.Metadata.Name.StartsWith("orleans-agents-connections", StringComparison.Ordinal));
        var connections = secret.Data.ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetString(kv.Value));
        var services = m.All<V1Service>().Select(s => s.Metadata.Name).ToHashSet();
        Assert.Contains($"Host={postgres.Spec.ServiceName};", connections["postgres"], StringComparison.Ordinal);
        Assert.Contains(postgres.Spec.ServiceName, services);
        Assert.Contains(connections["redis"].Split(':')[0], services);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Monitoring_ScrapesTheManagementPortsButTheIngressNeverRoutesToThem(string overlay)
    {
        var m = Render(overlay);
        var monitor = Assert.Single(m.All<ServiceMonitor>());
        var scraped = m.All<V1Service>().Where(s => Matches(monitor.Spec.Selector.MatchLabels, s.Metadata.Labels)).ToList();
        Assert.Equal([Api, Silo], scraped.Select(s => s.Metadata.Name).Order());
        foreach (var service in scraped)
        {
            Assert.Contains(monitor.Spec.Endpoints, e => service.Spec.Ports.Any(p => p.Name == e.Port) && e.Path == "/metrics");
            Assert.Equal("true", service.Metadata.Annotations["prometheus.io/scrape"]);
            // Annotation-based discovery (role: endpoints) rewrites the address to podIP:annotation, so it names the container port.
            var workload = m.All<V1Deployment>().Single(d => Matches(service.Spec.Selector, d.Spec.Template.Metadata.Labels)).Spec.Template;
            var scrapedPort = service.Spec.Ports.Single(p => monitor.Spec.Endpoints.Any(e => e.Port == p.Name));
            var containerPort = ContainerPort(workload, scrapedPort.TargetPort.Value);
            Assert.Equal(containerPort?.ToString(System.Globalization.CultureInfo.InvariantCulture), service.Metadata.Annotations["prometheus.io/port"]);
            Assert.Equal(service.Metadata.Annotations["prometheus.io/port"], workload.Metadata.Annotations["prometheus.io/port"]);
        }

        Assert.DoesNotContain(m.All<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths), p => p.Backend.Service.Name == Silo);
        Assert.DoesNotContain(m.All<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths), p => p.Backend.Service.Port.Name == "management");
        var rules = Assert.Single(m.All<PrometheusRule>());
        Assert.Contains(rules.Spec.Groups.SelectMany(g => g.Rules), r => r.Alert == "OrleansAgentsSiloDown");
    }

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static int? ContainerPort(V1PodTemplateSpec pod, string nameOrNumber) =>
        pod.Spec.Containers.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == nameOrNumber || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == nameOrNumber)?.ContainerPort;

    private static string? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;

    private static string? FieldRef(V1Container container, string name) =>
        container.Env?.SingleOrDefault(e => e.Name == name)?.ValueFrom?.FieldRef?.FieldPath;

    private static int UrlsPort(V1Container container) => new Uri(Env(container, "Urls") ?? throw new InvalidOperationException($"{container.Name} sets no Urls")).Port;

    /// <summary>
    /// The configuration the process in this container would see: literal env, ConfigMaps, Secrets
    /// (generated ones from the overlay; an out-of-band one gets placeholder values), downward API.
    /// </summary>
    internal static IConfiguration PodConfiguration(RenderedManifests m, V1PodTemplateSpec pod, V1Container container)
    {
        var values = new Dictionary<string, string?>();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } cm)
            {
                foreach (var kv in m.Named<V1ConfigMap>(cm.Name).Data)
                {
                    values[kv.Key] = kv.Value;
                }
            }
        }

        foreach (var env in container.Env ?? [])
        {
            values[env.Name] = env.Value ?? Resolve(m, pod, env.ValueFrom);
        }

        // Environment variables reach IConfiguration with "__" as the section separator.
        var configuration = values.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(configuration).Build();
    }

    private static string Resolve(RenderedManifests m, V1PodTemplateSpec pod, V1EnvVarSource source)
    {
        if (source.FieldRef is { } field)
        {
            return field.FieldPath switch
            {
                "metadata.name" => "orleans-agents-silo-7d9f8-abcde",
                "metadata.namespace" => m.Overlay,
                "status.podIP" => "10.244.1.17",
                var p when p.StartsWith("metadata.labels['", StringComparison.Ordinal) => pod.Metadata.Labels[p[17..^2]],
                var p => throw new InvalidOperationException("unexpected fieldRef " + p),
            };
        }

        var secretRef = source.SecretKeyRef ?? throw new InvalidOperationException("only fieldRef and secretKeyRef are used");
        var secret = m.All<V1Secret>().SingleOrDefault(s => s.Metadata.Name == secretRef.Name);
        if (secret is null)
        {
            // Created out of band (prod): the documented keys are postgres and redis, signing-key and admin-password.
            Assert.Contains(secretRef.Key, ExternalSecretKeys);
            return secretRef.Key switch
            {
                "postgres" => "Host=postgres.example.internal;Database=orleans_agents",
                "redis" => "redis.example.internal:6379",
                _ => "secret-value-from-the-cluster-0123456789abcdef",
            };
        }

        Assert.True(secret.Data.ContainsKey(secretRef.Key), $"Secret {secretRef.Name} has no key {secretRef.Key}");
        return System.Text.Encoding.UTF8.GetString(secret.Data[secretRef.Key]);
    }
}
