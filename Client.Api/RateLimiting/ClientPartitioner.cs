using System.Net;

namespace OrleansAgents.Api.RateLimiting;

/// <summary>Who a request is charged to: the seam between authentication and rate limiting.</summary>
public interface IRateLimitPartitioner
{
    /// <summary>The bucket key, or null with a message when the caller's claim is malformed.</summary>
    string? GetPartitionKey(HttpContext context, out string? problem);
}

/// <summary>
/// The authenticated subject (user name, or <c>apikey-{id}</c> for machine clients), whose tier
/// is the user's; anonymous requests (login, refresh) are limited per client IP.
/// </summary>
public sealed class ClientPartitioner : IRateLimitPartitioner
{
    public const string Anonymous = "anonymous";

    public string? GetPartitionKey(HttpContext context, out string? problem)
    {
        problem = null;
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(Security.AgentClaims.Subject)?.Value is { } subject
            && RateLimitRules.IsValidUserId(subject))
        {
            return subject;
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
