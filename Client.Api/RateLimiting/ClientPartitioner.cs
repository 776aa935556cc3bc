using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>
/// Who a request is charged to. The seam for authentication: once users log in, a partitioner
/// that returns the authenticated subject replaces this one and nothing else changes.
/// </summary>
public interface IRateLimitPartitioner
{
    /// <summary>The bucket key, or null with a message when the caller's claim is malformed.</summary>
    string? GetPartitionKey(HttpContext context, out string? problem);
}

/// <summary>The client id header when present and valid; otherwise the client IP.</summary>
public sealed class ClientPartitioner(IOptions<ApiRateLimitOptions> options) : IRateLimitPartitioner
{
    public const string Anonymous = "anonymous";

    public string? GetPartitionKey(HttpContext context, out string? problem)
    {
        problem = null;
        var header = options.Value.ClientIdHeader;
        if (context.Request.Headers.TryGetValue(header, out var values))
        {
            var id = values.ToString();
            if (values.Count == 1 && RateLimitRules.IsValidUserId(id))
            {
                return id;
            }

            problem = $"{header} must be one value matching {RateLimitRules.UserIdPattern}.";
            return null;
        }

        return context.Connection.RemoteIpAddress is { } ip ? FromIp(ip) : Anonymous;
    }

    private static string FromIp(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        return "ip-" + ip.ToString().Replace(':', '-').ToLowerInvariant();
    }
}
