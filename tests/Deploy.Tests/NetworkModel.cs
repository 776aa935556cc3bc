using k8s.Models;

namespace OrleansAgents.Deploy.Tests;

/// <summary>A pod that could send or receive a connection: one of ours, or a neighbour outside the namespace.</summary>
public sealed record Peer(string Name, string? Namespace, IDictionary<string, string> Labels, IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>Not a pod at all: a managed database or a public address.</summary>
    public bool IsExternal => Namespace is null;

    public static Peer External(string name) => new(name, null, new Dictionary<string, string>(), new Dictionary<string, int>());

    public static Peer Pod(string name, string @namespace, IDictionary<string, string> labels, params (string Name, int Port)[] ports) =>
        new(name, @namespace, labels, ports.ToDictionary(p => p.Name, p => p.Port));
}

/// <summary>
/// Evaluates NetworkPolicies the way the API server specifies them: a connection is allowed when the
/// sender's egress policies (if any select it) and the receiver's ingress policies (if any select it)
/// both have a rule that matches the other end and the port. Enough of the spec for our manifests;
/// anything it does not model (matchExpressions, ipBlock, endPort) fails loudly.
/// </summary>
public sealed class NetworkModel(RenderedManifests m, string @namespace)
{
    private readonly List<V1NetworkPolicy> _policies = [.. m.All<V1NetworkPolicy>()];

    public string Namespace { get; } = @namespace;

    public IReadOnlyList<V1NetworkPolicy> Policies => _policies;

    public bool Allows(Peer from, Peer to, int port) =>
        Side(from, "Egress", p => p.Spec.Egress?.Select(r => ((IList<V1NetworkPolicyPeer>?)r.To, (IList<V1NetworkPolicyPort>?)r.Ports)), to, port)
        && Side(to, "Ingress", p => p.Spec.Ingress?.Select(r => ((IList<V1NetworkPolicyPeer>?)r.FromProperty, (IList<V1NetworkPolicyPort>?)r.Ports)), from, port);

    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        Assert.True(selector?.MatchExpressions is null or { Count: 0 }, "matchExpressions are not modelled by this test");
        return (selector?.MatchLabels ?? new Dictionary<string, string>()).All(kv => labels is not null && labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    public IEnumerable<V1NetworkPolicy> Selecting(Peer pod, string type) =>
        pod.Namespace != Namespace ? [] : _policies.Where(p => p.Spec.PolicyTypes.Contains(type) && Selects(p.Spec.PodSelector, pod.Labels));

    private bool Side(Peer self, string type, Func<V1NetworkPolicy, IEnumerable<(IList<V1NetworkPolicyPeer>? Peers, IList<V1NetworkPolicyPort>? Ports)>?> rules, Peer other, int port)
    {
        var policies = Selecting(self, type).ToList();
        if (policies.Count == 0)
        {
            // Outside our namespace nothing is known; inside it an unselected pod is unrestricted.
            return true;
        }

        // The port is always the receiver's: on egress rules `other` receives, on ingress rules `self` does.
        var receiver = type == "Egress" ? other : self;
        return policies.SelectMany(p => rules(p) ?? []).Any(r => PeerMatches(r.Peers, other) && PortMatches(r.Ports, receiver, port));
    }

    private bool PeerMatches(IList<V1NetworkPolicyPeer>? peers, Peer other)
    {
        if (peers is null or { Count: 0 })
        {
            return true;
        }

        foreach (var peer in peers)
        {
            Assert.Null(peer.IpBlock);
            if (other.IsExternal)
            {
                continue;
            }

            var namespaceMatches = peer.NamespaceSelector is null
                ? other.Namespace == Namespace
                : Selects(peer.NamespaceSelector, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = other.Namespace! });
            if (namespaceMatches && (peer.PodSelector is null || Selects(peer.PodSelector, other.Labels)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool PortMatches(IList<V1NetworkPolicyPort>? ports, Peer receiver, int port)
    {
        if (ports is null or { Count: 0 })
        {
            return true;
        }

        foreach (var p in ports)
        {
            Assert.Null(p.EndPort);
            if ((p.Protocol ?? "TCP") != "TCP")
            {
                continue;
            }

            var value = p.Port.Value;
            if (int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number == port : receiver.Ports.TryGetValue(value, out var named) && named == port)
            {
                return true;
            }
        }

        return false;
    }
}
