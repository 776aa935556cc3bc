using Orleans.Hosting;

namespace OrleansAgents.Grains.Hosting;

public static class ClusterTlsExtensions
{
    /// <summary>Mutual TLS on the silo port, the gateway port and this silo's calls to other silos.</summary>
    public static ISiloBuilder UseAgentsClusterTls(this ISiloBuilder builder, ClusterTls? tls) =>
        tls is null ? builder : builder.UseTls(tls.Certificate, tls.Configure);

    /// <summary>A cluster client that presents its certificate to gateways and checks theirs.</summary>
    public static IClientBuilder UseAgentsClusterTls(this IClientBuilder builder, ClusterTls? tls) =>
        tls is null ? builder : builder.UseTls(tls.Certificate, tls.Configure);
}
