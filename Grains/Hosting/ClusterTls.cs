using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace OrleansAgents.Grains.Hosting;

/// <summary>The loaded and checked certificates of <see cref="ClusterTlsOptions"/>.</summary>
public sealed class ClusterTls
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _roots;
    private readonly X509Certificate2Collection _intermediates;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection roots, X509Certificate2Collection intermediates, TimeSpan handshakeTimeout)
    {
        Certificate = certificate;
        _roots = roots;
        _intermediates = intermediates;
        HandshakeTimeout = handshakeTimeout;
    }

    public X509Certificate2 Certificate { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>
    /// Reads <c>Orleans:Tls</c>; null when TLS is off. Throws one <see cref="OptionsValidationException"/>
    /// naming every bad setting, so a pod with a missing or wrong Secret fails at start with the reason.
    /// A silo's certificate is also a TLS server certificate (silo and gateway ports); a client's is not.
    /// </summary>
    public static ClusterTls? Load(IConfiguration configuration, bool server)
    {
        var options = new ClusterTlsOptions();
        configuration.GetSection(ClusterTlsOptions.Section).Bind(options);
        if (!options.Enabled)
        {
            return null;
        }

        var errors = new List<string>();
        var certPath = RequiredFile(options.CertificatePath, "CertificatePath", "/etc/orleans-agents/tls/tls.crt", errors);
        var keyPath = RequiredFile(options.KeyPath, "KeyPath", "/etc/orleans-agents/tls/tls.key", errors);
        var caPath = RequiredFile(options.CaPath, "CaPath", "/etc/orleans-agents/tls/ca.crt", errors);
        if (options.HandshakeTimeout <= TimeSpan.Zero || options.HandshakeTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Orleans:Tls:HandshakeTimeout must be between 0 and 5 minutes (was {options.HandshakeTimeout}).");
        }

        if (errors.Count == 0)
        {
            var tls = Read(certPath!, keyPath!, caPath!, options.HandshakeTimeout, errors);
            if (tls is not null)
            {
                errors.AddRange(tls.CheckOwnCertificate(server));
                if (errors.Count == 0)
                {
                    return tls;
                }
            }
        }

        throw new OptionsValidationException(ClusterTlsOptions.Section, typeof(ClusterTlsOptions), errors);
    }

    /// <summary>
    /// The peer check for both directions: the certificate must chain to one of our CAs, be within
    /// its validity period and allow client authentication (every member dials out). Host names are not checked: silos are
    /// dialled by pod IP from the membership table, so the CA, not a DNS name, is the identity.
    /// </summary>
    public bool IsTrustedPeer(X509Certificate2 peer) => ChainErrors(peer) is null;

    /// <summary>Null when the certificate chains to a configured CA, else why it does not.</summary>
    public string? ChainErrors(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        // A private CA publishes no CRL; short-lived certificates renewed by cert-manager stand in for revocation.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        if (chain.Build(certificate))
        {
            return null;
        }

        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }

    /// <summary>The Orleans TLS settings for a silo (server and client of other silos) or a cluster client.</summary>
    public void Configure(TlsOptions options)
    {
        options.LocalCertificate = Certificate;
        // Both directions demand a certificate: a gateway without one would take any Orleans client.
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => IsTrustedPeer(certificate);
        options.HandshakeTimeout = HandshakeTimeout;
    }

    private IEnumerable<string> CheckOwnCertificate(bool server)
    {
        if (!Certificate.HasPrivateKey)
        {
            yield return "Orleans:Tls:KeyPath holds no private key for the certificate in Orleans:Tls:CertificatePath.";
        }

        var now = DateTime.Now;
        if (Certificate.NotAfter < now || Certificate.NotBefore > now)
        {
            yield return $"The certificate in Orleans:Tls:CertificatePath is valid from {Certificate.NotBefore:u} to {Certificate.NotAfter:u}, not now.";
        }

        string[] usages = server ? [ServerAuthOid, ClientAuthOid] : [ClientAuthOid];
        var eku = Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        var missing = eku is null ? [] : usages.Where(u => !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == u)).ToList();
        if (missing.Count > 0)
        {
            yield return $"The certificate in Orleans:Tls:CertificatePath lacks the extended key usage {string.Join(" and ", missing.Select(m => m == ServerAuthOid ? "server auth" : "client auth"))}; "
                + (server ? "a silo's certificate needs both server auth and client auth." : "a client's certificate needs client auth.");
        }

        if (ChainErrors(Certificate) is { } chainErrors)
        {
            yield return $"The certificate in Orleans:Tls:CertificatePath ({Certificate.Subject}) does not chain to a CA in Orleans:Tls:CaPath: {chainErrors}. Peers would refuse it.";
        }
    }

    private static ClusterTls? Read(string certPath, string keyPath, string caPath, TimeSpan handshakeTimeout, List<string> errors)
    {
        X509Certificate2? certificate = null;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // The PEM key is ephemeral; a PKCS#12 round trip gives SslStream a key it can use on every platform.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            errors.Add($"Orleans:Tls:CertificatePath ({certPath}) and Orleans:Tls:KeyPath ({keyPath}) are not a PEM certificate and its private key: {ex.Message}");
        }

        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPemFile(caPath);
        }
        catch (CryptographicException ex)
        {
            errors.Add($"Orleans:Tls:CaPath ({caPath}) is not a PEM certificate bundle: {ex.Message}");
        }

        var authorities = cas.Where(IsCertificateAuthority).ToList();
        if (authorities.Count == 0 && errors.Count == 0)
        {
            errors.Add($"Orleans:Tls:CaPath ({caPath}) holds no CA certificate (basic constraints CA:true); put the issuing CA there (ca.crt of a cert-manager Secret).");
        }

        if (certificate is null || errors.Count > 0)
        {
            certificate?.Dispose();
            return null;
        }

        var roots = new X509Certificate2Collection(authorities.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)).ToArray());
        var intermediates = new X509Certificate2Collection(authorities.Except(roots).ToArray());
        if (roots.Count == 0)
        {
            // An intermediate alone is enough to anchor trust when the operator chose to pin it.
            roots.AddRange(intermediates);
            intermediates.Clear();
        }

        return new ClusterTls(certificate, roots, intermediates, handshakeTimeout);
    }

    private static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    private static string? RequiredFile(string? path, string name, string example, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"Orleans:Tls:{name} is required when Orleans:Tls:Enabled is true (environment: Orleans__Tls__{name}), e.g. {example}.");
            return null;
        }

        if (!File.Exists(path))
        {
            errors.Add($"Orleans:Tls:{name} names {path}, which does not exist; is the certificate Secret mounted?");
            return null;
        }

        return path;
    }
}
