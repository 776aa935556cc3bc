using k8s.Models;

namespace OrleansAgents.Deploy.Tests;

/// <summary>
/// Issue 17 item 2: a pod that reaches the silo or gateway port can call any grain. The policies
/// must close that path and keep every path the system uses open, in both overlays.
/// </summary>
public sealed class NetworkPolicyTests
{
    private static readonly Dictionary<string, RenderedManifests> Rendered = new()
    {
        ["dev"] = RenderedManifests.Render("dev"),
        ["prod"] = RenderedManifests.Render("prod"),
    };

    public static TheoryData<string> Overlays => new() { "dev", "prod" };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryWorkload_IsUnderADefaultDeny_ForIngressAndEgress(string overlay)
    {
        var m = Rendered[overlay];
        var workloads = Workloads(m);
        Assert.Contains(workloads, w => w.Kind == "Job");
        var denies = m.All<V1NetworkPolicy>().Where(p => p.Spec.Ingress is null && p.Spec.Egress is null).ToList();
        foreach (var (kind, name, @namespace, template) in workloads)
        {
            foreach (var type in new[] { "Ingress", "Egress" })
            {
                Assert.True(
                    denies.Any(p => p.Metadata.NamespaceProperty == @namespace && p.Spec.PolicyTypes.Contains(type) && NetworkModel.Selects(p.Spec.PodSelector, template.Metadata.Labels)),
                    $"{kind} {name} is not under a default-deny {type} policy in namespace {@namespace}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryPolicy_SelectsRealWorkloads_AndOpensOnlyPortsTheirContainersDeclare(string overlay)
    {
        var m = Rendered[overlay];
        var workloads = Workloads(m);
        foreach (var policy in m.All<V1NetworkPolicy>())
        {
            var name = policy.Metadata.Name;
            var selected = workloads.Where(w => NetworkModel.Selects(policy.Spec.PodSelector, w.Template.Metadata.Labels)).ToList();
            Assert.True(selected.Count > 0, $"NetworkPolicy {name} selects no workload");

            foreach (var rule in policy.Spec.Ingress ?? [])
            {
                foreach (var peer in rule.FromProperty ?? [])
                {
                    AssertPeerSelectsAWorkload(name, peer, workloads);
                }

                // An ingress port is a port of the selected pods.
                AssertPortsDeclared(name, rule.Ports, selected);
            }

            foreach (var rule in policy.Spec.Egress ?? [])
            {
                var targets = new List<Workload>();
                foreach (var peer in rule.To ?? [])
                {
                    targets.AddRange(AssertPeerSelectsAWorkload(name, peer, workloads));
                }

                // An egress port towards our own pods is a port of those pods; a named port needs a pod to name it.
                AssertPortsDeclared(name, rule.Ports, targets);
                Assert.True(targets.Count > 0 || (rule.Ports ?? []).All(p => int.TryParse(p.Port.Value, out _)),
                    $"NetworkPolicy {name}: a named port in an egress rule without pod peers resolves to nothing");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void OnlySilosReachTheSiloPort_OnlyTheApiReachesTheGateways_AndEveryUsedPathStaysOpen(string overlay)
    {
        var m = Rendered[overlay];
        var ns = m.Named<V1Deployment>("orleans-agents-silo").Metadata.NamespaceProperty;
        var net = new NetworkModel(m, ns);
        var silo = Pod(m, "orleans-agents-silo");
        var api = Pod(m, "orleans-agents-api");
        var migration = Pod(m, "orleans-agents-migrate");
        var (siloPort, gatewayPort, siloManagement) = (silo.Ports["silo"], silo.Ports["gateway"], silo.Ports["management"]);
        var (apiHttp, apiManagement) = (api.Ports["http"], api.Ports["management"]);

        // The attackers: a debug pod started in our namespace (kubectl run), a pod of another tenant.
        var intruder = Peer.Pod("intruder", ns, new Dictionary<string, string> { ["run"] = "debug" });
        var neighbour = Peer.Pod("neighbour", "other-team", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "orleans-agents", ["app.kubernetes.io/component"] = "api" });
        var ingress = Peer.Pod("ingress-nginx", "ingress-nginx", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ingress-nginx" });
        var prometheus = Peer.Pod("prometheus", "monitoring", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" });
        var dns = Peer.Pod("kube-dns", "kube-system", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, ("dns-tcp", 53));
        var (postgres, redis) = overlay == "dev"
            ? (Pod(m, "orleans-agents-postgres"), Pod(m, "orleans-agents-redis"))
            : (Peer.External("managed-postgres"), Peer.External("managed-redis"));
        var internet = Peer.External("api.openai.com");

        (Peer From, Peer To, int Port)[] open =
        [
            (silo, silo, siloPort), (api, silo, gatewayPort), (ingress, api, apiHttp),
            (prometheus, silo, siloManagement), (prometheus, api, apiManagement),
            (silo, postgres, 5432), (silo, redis, 6379), (api, redis, 6379), (migration, postgres, 5432),
            (silo, dns, 53), (api, dns, 53), (migration, dns, 53), (silo, internet, 443),
        ];
        foreach (var (from, to, port) in open)
        {
            Assert.True(net.Allows(from, to, port), $"{overlay}: {from.Name} -> {to.Name}:{port} should be open");
        }

        (Peer From, Peer To, int Port)[] closed =
        [
            (intruder, silo, gatewayPort), (intruder, silo, siloPort), (intruder, api, apiManagement),
            (neighbour, silo, gatewayPort), (neighbour, silo, siloPort),
            (api, silo, siloPort), (migration, silo, gatewayPort), (ingress, silo, gatewayPort),
            (ingress, api, apiManagement), (prometheus, silo, gatewayPort), (silo, api, apiHttp),
            (api, postgres, 5432), (migration, redis, 6379), (api, internet, 443), (silo, internet, 25),
        ];
        foreach (var (from, to, port) in closed)
        {
            Assert.False(net.Allows(from, to, port), $"{overlay}: {from.Name} -> {to.Name}:{port} should be closed");
        }

        if (overlay == "dev")
        {
            // A compromised database cannot call grains, nor can anything but our workloads reach it.
            Assert.False(net.Allows(redis, silo, gatewayPort));
            Assert.False(net.Allows(postgres, silo, siloPort));
            Assert.False(net.Allows(intruder, redis, 6379));
            Assert.False(net.Allows(intruder, postgres, 5432));
        }
    }

    private sealed record Workload(string Kind, string Name, string Namespace, V1PodTemplateSpec Template);

    private static List<Workload> Workloads(RenderedManifests m) =>
    [
        .. m.All<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Metadata.NamespaceProperty, d.Spec.Template)),
        .. m.All<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Metadata.NamespaceProperty, s.Spec.Template)),
        .. m.All<V1Job>().Select(j => new Workload("Job", j.Metadata.Name, j.Metadata.NamespaceProperty, j.Spec.Template)),
    ];

    private static Peer Pod(RenderedManifests m, string name)
    {
        var workload = Assert.Single(Workloads(m), w => w.Name == name);
        var ports = workload.Template.Spec.Containers.SelectMany(c => c.Ports ?? []).Select(p => (p.Name, p.ContainerPort)).ToArray();
        return Peer.Pod(name, workload.Namespace, workload.Template.Metadata.Labels, ports);
    }

    private static List<Workload> AssertPeerSelectsAWorkload(string policy, V1NetworkPolicyPeer peer, List<Workload> workloads)
    {
        if (peer.NamespaceSelector is not null)
        {
            // A neighbour in another namespace (ingress controller, Prometheus, DNS): not ours to check.
            Assert.NotNull(peer.PodSelector);
            return [];
        }

        var matched = workloads.Where(w => NetworkModel.Selects(peer.PodSelector, w.Template.Metadata.Labels)).ToList();
        Assert.True(matched.Count > 0, $"NetworkPolicy {policy}: a peer's podSelector selects no workload");
        return matched;
    }

    private static void AssertPortsDeclared(string policy, IList<V1NetworkPolicyPort>? ports, List<Workload> pods)
    {
        foreach (var port in ports ?? [])
        {
            foreach (var pod in pods)
            {
                var declared = pod.Template.Spec.Containers.SelectMany(c => c.Ports ?? []);
                Assert.True(declared.Any(p => p.Name == port.Port.Value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.Port.Value),
                    $"NetworkPolicy {policy} opens port '{port.Port.Value}', which {pod.Kind} {pod.Name} does not declare");
            }
        }
    }
}
