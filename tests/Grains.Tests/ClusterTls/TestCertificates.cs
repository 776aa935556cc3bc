using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansAgents.Tests.ClusterTls;

/// <summary>
/// A throwaway CA and the PEM files cert-manager would mount (tls.crt, tls.key, ca.crt), made
/// with CertificateRequest so the tests use real certificates, not a mock of TLS.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("agents-tls-").FullName;
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        CaPath = Path.Combine(Directory, "ca.crt");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem() + "\n");
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    /// <summary>Issues a leaf and writes it; returns the Orleans:Tls settings that point at it.</summary>
    public Dictionary<string, string?> Issue(string name, bool server = true, DateTimeOffset? notAfter = null, string? caPath = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid(ClientAuth) };
        if (server)
        {
            usages.Add(new Oid(ServerAuth));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-10);
        using var certificate = request.Create(Ca, notBefore, notAfter ?? DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(12));
        var certPath = Path.Combine(Directory, name + ".crt");
        var keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return new Dictionary<string, string?>
        {
            ["Orleans:Tls:Enabled"] = "true",
            ["Orleans:Tls:CertificatePath"] = certPath,
            ["Orleans:Tls:KeyPath"] = keyPath,
            ["Orleans:Tls:CaPath"] = caPath ?? CaPath,
        };
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
