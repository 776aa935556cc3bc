using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrleansAgents.Api.Security;

/// <summary>Section <c>ForwardedHeaders</c>: which proxies' <c>X-Forwarded-For</c> is believed.</summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of the proxies in front of the API (e.g. the ingress controller's pods).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>CIDR ranges of such proxies (e.g. <c>10.0.0.0/8</c> for the cluster's pod network).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Proxy hops to unwind (one ingress: 1).</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>
/// The client's address, as rate limits and login throttling see it. Behind an ingress the
/// connection comes from the proxy, so <c>X-Forwarded-For</c> is taken, but only from proxies
/// listed in <see cref="ForwardedHeadersSettings"/>; from anyone else the header is ignored, so a
/// client cannot pick the address it is counted under (issue 17).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString().ToLowerInvariant()
            : "unknown";

    /// <summary>
    /// The forwarded-headers middleware, only when a proxy is configured: with both of its lists
    /// empty the middleware believes every caller's X-Forwarded-For, the opposite of what an empty
    /// configuration should mean.
    /// </summary>
    public static IApplicationBuilder UseAgentsForwardedHeaders(this IApplicationBuilder app)
    {
        var settings = app.ApplicationServices.GetRequiredService<ForwardedHeadersSettings>();
        return settings.KnownProxies.Count + settings.KnownNetworks.Count > 0 ? app.UseForwardedHeaders() : app;
    }

    public static IServiceCollection AddAgentsForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() ?? new();
        var errors = new List<string>();
        var proxies = new List<IPAddress>();
        foreach (var proxy in settings.KnownProxies)
        {
            if (IPAddress.TryParse(proxy, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                errors.Add($"{ForwardedHeadersSettings.Section}:KnownProxies '{proxy}' is not an IP address.");
            }
        }

        var networks = new List<System.Net.IPNetwork>();
        foreach (var network in settings.KnownNetworks)
        {
            if (System.Net.IPNetwork.TryParse(network, out var parsed))
            {
                networks.Add(parsed);
            }
            else
            {
                errors.Add($"{ForwardedHeadersSettings.Section}:KnownNetworks '{network}' is not a CIDR range.");
            }
        }

        if (settings.ForwardLimit is < 1 or > 10)
        {
            errors.Add($"{ForwardedHeadersSettings.Section}:ForwardLimit must be between 1 and 10.");
        }

        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(ForwardedHeadersSettings.Section, typeof(ForwardedHeadersSettings), errors);
        }

        services.AddSingleton(settings);
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = settings.ForwardLimit;

            // ASP.NET trusts loopback by default; here only what is configured is trusted.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list still holds 127.0.0.0/8 and is still consulted
            o.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
        });
    }
}
