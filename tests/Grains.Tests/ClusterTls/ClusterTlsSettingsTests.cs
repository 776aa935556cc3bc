using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Tests.ClusterTls;

/// <summary>A pod with a missing, foreign or unfit certificate refuses to start and says why.</summary>
public sealed class ClusterTlsSettingsTests : IDisposable
{
    private readonly TestCertificates _certificates = new("settings-ca");

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public void Load_IsNull_WhenTlsIsOff() =>
        Assert.Null(Grains.Hosting.ClusterTls.Load(Configuration([]), server: true));

    [Fact]
    public void Load_ReadsACertManagerShapedSecret_AndTrustsOnlyItsCa()
    {
        var tls = Grains.Hosting.ClusterTls.Load(Configuration(_certificates.Issue("silo")), server: true)!;
        Assert.True(tls.Certificate.HasPrivateKey);

        var peer = Grains.Hosting.ClusterTls.Load(Configuration(_certificates.Issue("peer", server: false)), server: false)!;
        Assert.True(tls.IsTrustedPeer(peer.Certificate));

        using var other = new TestCertificates("other-ca");
        var foreign = Grains.Hosting.ClusterTls.Load(Configuration(other.Issue("foreign")), server: true)!;
        Assert.False(tls.IsTrustedPeer(foreign.Certificate));
        Assert.False(foreign.IsTrustedPeer(tls.Certificate));
    }

    [Fact]
    public void Load_NamesEveryMissingSetting()
    {
        var failure = Assert.Throws<OptionsValidationException>(() =>
            Grains.Hosting.ClusterTls.Load(Configuration(new() { ["Orleans:Tls:Enabled"] = "true", ["Orleans:Tls:KeyPath"] = "/nowhere/tls.key" }), server: true));
        Assert.Contains(failure.Failures, f => f.StartsWith("Orleans:Tls:CertificatePath is required", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("/nowhere/tls.key, which does not exist", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Orleans:Tls:CaPath is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_RefusesACertificateOfAnotherCa_AnExpiredOne_AndAClientCertificateForASilo()
    {
        using var other = new TestCertificates("other-ca");
        var foreign = other.Issue("foreign", caPath: _certificates.CaPath);
        Assert.Contains(Failures(foreign, server: false), f => f.Contains("does not chain to a CA in Orleans:Tls:CaPath", StringComparison.Ordinal));

        var expired = _certificates.Issue("expired", notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Contains(Failures(expired, server: true), f => f.Contains("not now", StringComparison.Ordinal));

        var clientOnly = _certificates.Issue("client-only", server: false);
        Assert.Contains(Failures(clientOnly, server: true), f => f.Contains("lacks the extended key usage server auth", StringComparison.Ordinal));
        Assert.NotNull(Grains.Hosting.ClusterTls.Load(Configuration(clientOnly), server: false));
    }

    [Fact]
    public void Load_RefusesAKeyThatIsNotTheCertificates_AndACaFileWithoutACa()
    {
        var one = _certificates.Issue("one");
        var two = _certificates.Issue("two");
        one["Orleans:Tls:KeyPath"] = two["Orleans:Tls:KeyPath"];
        Assert.Contains(Failures(one, server: true), f => f.Contains("are not a PEM certificate and its private key", StringComparison.Ordinal));

        var leafAsCa = _certificates.Issue("three");
        leafAsCa["Orleans:Tls:CaPath"] = leafAsCa["Orleans:Tls:CertificatePath"];
        Assert.Contains(Failures(leafAsCa, server: true), f => f.Contains("holds no CA certificate", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings, bool server) =>
        [.. Assert.Throws<OptionsValidationException>(() => Grains.Hosting.ClusterTls.Load(Configuration(settings), server)).Failures];

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
