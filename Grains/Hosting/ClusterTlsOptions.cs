namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// Mutual TLS on the silo and gateway ports. The files are the shape of a cert-manager
/// <c>kubernetes.io/tls</c> Secret mounted as a volume (tls.crt, tls.key, ca.crt): every silo and
/// every API client presents its own certificate and accepts only peers whose certificate chains
/// to the configured CA, so reaching port 11111 or 30000 is no longer enough to join the cluster.
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "Orleans:Tls";

    public bool Enabled { get; set; }

    /// <summary>PEM certificate of this process (the first certificate in the file is the leaf).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key (PKCS#8, PKCS#1 or SEC1) of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// PEM bundle of the CA certificates a peer must chain to. Put the old and the new CA in it
    /// while rotating the CA; nothing outside it is trusted (the machine's root store is not used).
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
