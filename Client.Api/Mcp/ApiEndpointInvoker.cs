using System.Collections.Frozen;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Mcp;

/// <summary>
/// Runs an /api endpoint in-process for an MCP tool, so a tool is the endpoint: the same
/// permission (the endpoint's own authorization metadata, evaluated by ASP.NET's authorization
/// service), the same per-user rate-limit cost (the endpoint's <see cref="RateLimitCost"/> or
/// <c>RateLimiting:RouteCosts</c>), the same validation, grain calls and ProblemDetails. The
/// endpoint's answer becomes the tool result; a problem becomes a tool error with its code.
/// </summary>
public sealed partial class ApiEndpointInvoker(
    EndpointDataSource endpoints,
    IHttpContextAccessor accessor,
    IAuthorizationPolicyProvider policies,
    IAuthorizationService authorization,
    IRateLimitPartitioner partitioner,
    IOptions<ApiRateLimitOptions> rateLimits,
    IGrainFactory grains,
    ILogger<ApiEndpointInvoker> logger)
{
    private FrozenDictionary<string, RouteEndpoint>? _byName;

    public async Task<CallToolResult> InvokeAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var parent = accessor.HttpContext ?? throw new InvalidOperationException("MCP tools run inside an HTTP request.");
        if (!Endpoints().TryGetValue(call.EndpointName, out var endpoint))
        {
            throw new InvalidOperationException($"No endpoint named '{call.EndpointName}'.");
        }

        var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : HttpMethods.Get;
        var context = call.ToHttpContext(parent, endpoint, method, cancellationToken);

        if (await AuthorizeAsync(context, endpoint) is { } forbidden)
        {
            return ToolResults.ToolError(forbidden);
        }

        if (await ChargeAsync(context, endpoint, method) is { } limited)
        {
            return ToolResults.ToolError(limited);
        }

        try
        {
            await endpoint.RequestDelegate!(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Same mapping as the HTTP pipeline's exception handler (domain errors, bad bodies, timeouts, 500s).
            ToolResults.ResetResponse(context);
            foreach (var handler in context.RequestServices.GetServices<IExceptionHandler>())
            {
                if (await handler.TryHandleAsync(context, ex, cancellationToken))
                {
                    break;
                }
            }
        }

        var result = ToolResults.FromResponse(context, out var notJson);
        if (notJson)
        {
            LogNotJson(context.Request.Method, context.Request.Path, context.Response.StatusCode);
        }

        return result;
    }

    private FrozenDictionary<string, RouteEndpoint> Endpoints() => _byName ??= endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null && e.RequestDelegate is not null)
        .ToFrozenDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, StringComparer.Ordinal);

    /// <summary>The endpoint's own authorization policy, as the authorization middleware would combine and evaluate it.</summary>
    private async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> AuthorizeAsync(HttpContext context, Endpoint endpoint)
    {
        var policy = await AuthorizationPolicy.CombineAsync(policies,
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        if (policy is null || (await authorization.AuthorizeAsync(context.User, context, policy)).Succeeded)
        {
            return null;
        }

        var needed = endpoint.Metadata.GetMetadata<RequiredPermissionAttribute>()?.Permission;
        return ProblemResults.Create(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
            needed is null ? "Your roles do not allow this." : $"This needs the permission '{needed}', which none of your roles grants.");
    }

    /// <summary>Charges the caller's bucket what the HTTP route costs (the /api rate-limit policy's rules).</summary>
    private async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> ChargeAsync(HttpContext context, RouteEndpoint endpoint, string method)
    {
        var options = rateLimits.Value;
        if (!options.Enabled)
        {
            return null;
        }

        if (partitioner.GetPartitionKey(context, out var error) is not { } key)
        {
            return ProblemResults.Create(StatusCodes.Status400BadRequest, ErrorCodes.RateLimitInvalidUser, error ?? "The caller cannot be rate limited.");
        }

        var cost = endpoint.Metadata.GetMetadata<RateLimitCost>() ?? new RateLimitCost(1);
        if (endpoint.RoutePattern.RawText is { } route && options.RouteCosts.TryGetValue($"{method} {route}", out var configured))
        {
            cost = cost with { Cost = configured };
        }

        var decision = await grains.GetGrain<IRateLimitBucketGrain>(key).DecideAsync(new RateLimitRequest(cost.Cost, cost.UsesAiTokens));
        if (decision.Allowed)
        {
            return null;
        }

        var retryAfter = RateLimitHeaders.Seconds(decision.RetryAfter);
        var problem = ProblemResults.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded,
            $"The '{decision.ViolatedWindow}' limit of the '{decision.Tier}' tier is used up; retry after {retryAfter} s.", recoverable: true);
        problem.Extensions["policy"] = decision.ViolatedWindow;
        problem.Extensions["tier"] = decision.Tier;
        problem.Extensions["retryAfterSeconds"] = retryAfter;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP tool call of {Method} {Path} answered {Status} with a body that is not JSON")]
    private partial void LogNotJson(string method, string path, int status);
}
