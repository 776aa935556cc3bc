using k8s.Models;
using Microsoft.Extensions.Configuration;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Deploy.Tests;

/// <summary>Prod turns on mutual TLS from cert-manager Secrets; dev's Redis requires AUTH with the password the workloads use.</summary>
public sealed class ClusterSecurityManifestTests
{
    private static readonly Lazy<RenderedManifests> Prod = new(() => RenderedManifests.Render("prod"));
    private static readonly Lazy<RenderedManifests> Dev = new(() => RenderedManifests.Render("dev"));
    private static readonly string[] TlsWorkloads = ["orleans-agents-silo", "orleans-agents-api"];

    [Theory]
    [InlineData("orleans-agents-silo", new[] { "server auth", "client auth" })]
    [InlineData("orleans-agents-api", new[] { "client auth" })]
    public void Prod_TurnsOnTls_WithFilesOfAMountedCertManagerSecret_IssuedByTheClusterCa(string deployment, string[] usages)
    {
        var m = Prod.Value;
        var pod = m.Named<V1Deployment>(deployment).Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        var tls = new ClusterTlsOptions();
        ManifestWiringTests.PodConfiguration(m, pod, container).GetSection(ClusterTlsOptions.Section).Bind(tls);
        Assert.True(tls.Enabled);

        // All three files come from one mounted Secret, under the keys cert-manager writes.
        var files = new Dictionary<string, string?> { ["tls.crt"] = tls.CertificatePath, ["tls.key"] = tls.KeyPath, ["ca.crt"] = tls.CaPath };
        var mounts = files.Values.Select(path => Assert.Single(container.VolumeMounts, v => path!.StartsWith(v.MountPath + "/", StringComparison.Ordinal))).Distinct().ToList();
        var mount = Assert.Single(mounts);
        Assert.True(mount.ReadOnlyProperty);
        foreach (var (key, path) in files)
        {
            Assert.Equal(mount.MountPath + "/" + key, path);
        }

        var secret = Assert.Single(pod.Spec.Volumes, v => v.Name == mount.Name).Secret;
        Assert.NotNull(secret);
        Assert.Null(secret.Items);

        // The Secret is a cert-manager Certificate's, for the usages the process needs, from a CA issuer rooted in our own CA.
        var certificate = Assert.Single(m.All<Certificate>(), c => c.Spec.SecretName == secret.SecretName);
        Assert.False(certificate.Spec.IsCA);
        Assert.Equal(usages.Order(), certificate.Spec.Usages.Where(u => u.EndsWith(" auth", StringComparison.Ordinal)).Order());
        var issuer = Assert.Single(m.All<Issuer>(), i => i.Metadata.Name == certificate.Spec.IssuerRef.Name && certificate.Spec.IssuerRef.Kind == "Issuer");
        Assert.NotNull(issuer.Spec.Ca);
        var ca = Assert.Single(m.All<Certificate>(), c => c.Spec.SecretName == issuer.Spec.Ca.SecretName);
        Assert.True(ca.Spec.IsCA);

        // Renewed well before it expires; the key readable by the app's group only.
        Assert.True(TimeSpan.FromHours(int.Parse(certificate.Spec.RenewBefore.TrimEnd('h'), System.Globalization.CultureInfo.InvariantCulture))
            >= TimeSpan.FromDays(7));
        Assert.Equal(Convert.ToInt32("440", 8), secret.DefaultMode);
        Assert.Equal(pod.Spec.SecurityContext.RunAsGroup ?? pod.Spec.SecurityContext.RunAsUser, pod.Spec.SecurityContext.FsGroup);
    }

    [Fact]
    public void Prod_SilosAndApiTrustTheSameCa()
    {
        var m = Prod.Value;
        var issuers = TlsWorkloads.Select(d =>
        {
            var secretName = Assert.Single(m.Named<V1Deployment>(d).Spec.Template.Spec.Volumes, v => v.Secret is not null).Secret.SecretName;
            return Assert.Single(m.All<Certificate>(), c => c.Spec.SecretName == secretName).Spec.IssuerRef.Name;
        }).Distinct();
        Assert.Single(issuers);
    }

    [Fact]
    public void Dev_RedisRequiresAuth_WithThePasswordOfTheWorkloadsConnectionString()
    {
        var m = Dev.Value;
        var redis = Assert.Single(m.Named<V1Deployment>("orleans-agents-redis").Spec.Template.Spec.Containers);
        var args = redis.Args.ToList();
        var requirePass = args.IndexOf("--requirepass");
        Assert.True(requirePass >= 0, "redis-server runs without --requirepass");
        Assert.Equal("$(REDIS_PASSWORD)", args[requirePass + 1]);
        var serverPassword = SecretValue(m, redis.Env.Single(e => e.Name == "REDIS_PASSWORD").ValueFrom.SecretKeyRef);
        Assert.Equal(serverPassword, SecretValue(m, redis.Env.Single(e => e.Name == "REDISCLI_AUTH").ValueFrom.SecretKeyRef));

        foreach (var deployment in new[] { "orleans-agents-silo", "orleans-agents-api" })
        {
            var container = Assert.Single(m.Named<V1Deployment>(deployment).Spec.Template.Spec.Containers);
            var connection = SecretValue(m, container.Env.Single(e => e.Name == "ConnectionStrings__Redis").ValueFrom.SecretKeyRef);
            Assert.Equal(serverPassword, StackExchange.Redis.ConfigurationOptions.Parse(connection).Password);
        }
    }

    private static string SecretValue(RenderedManifests m, V1SecretKeySelector selector)
    {
        var secret = Assert.Single(m.All<V1Secret>(), s => s.Metadata.Name == selector.Name);
        return System.Text.Encoding.UTF8.GetString(secret.Data[selector.Key]);
    }
}
