using k8s;
using k8s.Models;

namespace OrleansAgents.Deploy.Tests;

// The fields of cert-manager's Certificate and Issuer that our manifests use; anything else fails
// the strict deserializer.
#pragma warning disable CA2227, CA1002 // YAML model types: settable lists are how the deserializer fills them.

public sealed class Certificate : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public CertificateSpec Spec { get; set; } = new();
}

public sealed class CertificateSpec
{
    public bool IsCA { get; set; }

    public string CommonName { get; set; } = "";

    public List<string> DnsNames { get; set; } = [];

    public string SecretName { get; set; } = "";

    public string Duration { get; set; } = "";

    public string RenewBefore { get; set; } = "";

    public CertificatePrivateKey PrivateKey { get; set; } = new();

    public List<string> Usages { get; set; } = [];

    public IssuerReference IssuerRef { get; set; } = new();
}

public sealed class CertificatePrivateKey
{
    public string Algorithm { get; set; } = "";

    public int Size { get; set; }

    public string RotationPolicy { get; set; } = "";
}

public sealed class IssuerReference
{
    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";
}

public sealed class Issuer : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public IssuerSpec Spec { get; set; } = new();
}

public sealed class IssuerSpec
{
    public Dictionary<string, string>? SelfSigned { get; set; }

    public CaIssuer? Ca { get; set; }
}

public sealed class CaIssuer
{
    public string SecretName { get; set; } = "";
}
