using System.Net;
using k8s.Models;

namespace OrleansAgents.Deploy.Tests;

/// <summary>
/// Issue 17, item 3: behind the ingress every anonymous caller would share the controller's address
/// (and its login limits) unless the API believes X-Forwarded-For from it; prod must name its network.
/// </summary>
public sealed class ForwardedHeadersManifestTests
{
    private static readonly Lazy<RenderedManifests> Prod = new(() => RenderedManifests.Render("prod"));

    [Fact]
    public void Prod_Api_BelievesForwardedHeaders_OnlyFromAPrivatePodNetwork_OneHopDeep()
    {
        var m = Prod.Value;
        var pod = m.Named<V1Deployment>("orleans-agents-api").Spec.Template;
        var config = ManifestWiringTests.PodConfiguration(m, pod, Assert.Single(pod.Spec.Containers));

        var networks = config.GetSection("ForwardedHeaders:KnownNetworks").GetChildren().Select(c => c.Value!).ToList();
        var proxies = config.GetSection("ForwardedHeaders:KnownProxies").GetChildren().Select(c => c.Value!).ToList();
        Assert.NotEmpty(networks);
        Assert.Empty(proxies); // controller pods come and go; a fixed address would soon be wrong
        foreach (var text in networks)
        {
            Assert.True(IPNetwork.TryParse(text, out var network), $"'{text}' is not a CIDR");
            // Never "everyone": a network that wide would let any client choose the address it is counted under.
            Assert.True(network.PrefixLength >= 8, $"{text} is wider than a pod network");
            Assert.True(IPNetwork.Parse("10.0.0.0/8").Contains(network.BaseAddress) || IPNetwork.Parse("172.16.0.0/12").Contains(network.BaseAddress)
                || IPNetwork.Parse("192.168.0.0/16").Contains(network.BaseAddress) || IPNetwork.Parse("100.64.0.0/10").Contains(network.BaseAddress)
                || IPNetwork.Parse("fc00::/7").Contains(network.BaseAddress), $"{text} is not a private (pod) network");
        }

        Assert.Equal("1", config["ForwardedHeaders:ForwardLimit"]);
    }

    [Fact]
    public void Prod_OnlyTheIngressController_ReachesTheApisPublicPort()
    {
        // Trusting a whole pod network is safe only because no other pod of it may open that port.
        var m = Prod.Value;
        var api = m.Named<V1Deployment>("orleans-agents-api").Spec.Template;
        var port = Assert.Single(Assert.Single(api.Spec.Containers).Ports, p => p.Name == "http").ContainerPort;
        var sources = m.All<V1NetworkPolicy>()
            .Where(p => p.Spec.PodSelector.MatchLabels is { } labels && labels.All(l => api.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .SelectMany(p => p.Spec.Ingress ?? [])
            .Where(rule => rule.Ports is null || rule.Ports.Any(p => p.Port.Value == "http" || p.Port.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .SelectMany(rule => rule.FromProperty ?? [])
            .ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, from => Assert.Equal("ingress-nginx", from.NamespaceSelector?.MatchLabels?["kubernetes.io/metadata.name"]));
    }
}
