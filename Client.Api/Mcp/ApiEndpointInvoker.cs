using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Api.Mcp;

/// <summary>One call of an /api endpoint on behalf of an MCP tool: route values, query, JSON body, headers.</summary>
public sealed record ApiCall(
    string EndpointName,
    IReadOnlyDictionary<string, string?>? Route = null,
    IReadOnlyDictionary<string, string?>? Query = null,
    JsonObject? Body = null,
    IReadOnlyDictionary<string, string?>? Headers = null);

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
    /// <summary>Tool results larger than this are refused rather than flooding a model's context.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    private FrozenDictionary<string, RouteEndpoint>? _byName;

    public async Task<CallToolResult> InvokeAsync(ApiCall call, CancellationToken cancellationToken)
    {
        var parent = accessor.HttpContext ?? throw new InvalidOperationException("MCP tools run inside an HTTP request.");
        if (!Endpoints().TryGetValue(call.EndpointName, out var endpoint))
        {
            throw new InvalidOperationException($"No endpoint named '{call.EndpointName}'.");
        }

        var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : HttpMethods.Get;
        var context = CreateContext(parent, endpoint, method, call, cancellationToken);

        if (await AuthorizeAsync(context, endpoint) is { } forbidden)
        {
            return ToolError(forbidden);
        }

        if (await ChargeAsync(context, endpoint, method) is { } limited)
        {
            return ToolError(limited);
        }

        try
        {
            await endpoint.RequestDelegate!(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Same mapping as the HTTP pipeline's exception handler (domain errors, bad bodies, timeouts, 500s).
            ResetResponse(context);
            foreach (var handler in context.RequestServices.GetServices<IExceptionHandler>())
            {
                if (await handler.TryHandleAsync(context, ex, cancellationToken))
                {
                    break;
                }
            }
        }

        return ToResult(context);
    }

    private FrozenDictionary<string, RouteEndpoint> Endpoints() => _byName ??= endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null && e.RequestDelegate is not null)
        .ToFrozenDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, StringComparer.Ordinal);

    private static DefaultHttpContext CreateContext(HttpContext parent, RouteEndpoint endpoint, string method, ApiCall call, CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = parent.RequestServices,
            User = parent.User,
            RequestAborted = cancellationToken,
            TraceIdentifier = parent.TraceIdentifier,
        };
        context.Connection.RemoteIpAddress = parent.Connection.RemoteIpAddress;
        var request = context.Request;
        request.Method = method;
        request.Scheme = parent.Request.Scheme;
        request.Host = parent.Request.Host;
        request.Path = RoutePath(endpoint.RoutePattern, call.Route);
        foreach (var (name, value) in call.Route ?? new Dictionary<string, string?>())
        {
            request.RouteValues[name] = value;
        }

        request.QueryString = QueryString.Create((call.Query ?? new Dictionary<string, string?>()).Where(q => q.Value is not null));
        foreach (var (name, value) in call.Headers ?? new Dictionary<string, string?>())
        {
            if (value is not null)
            {
                request.Headers[name] = value;
            }
        }

        if (call.Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(call.Body.ToJsonString());
            request.ContentType = "application/json";
            request.ContentLength = bytes.Length;
            request.Body = new MemoryStream(bytes, writable: false);
            // Minimal APIs read a JSON body only when the server says the request can have one.
            context.Features.Set<IHttpRequestBodyDetectionFeature>(HasBody.Instance);
        }

        context.Response.Body = new MemoryStream();
        context.SetEndpoint(endpoint);
        return context;
    }

    /// <summary>The request path, for logs and audit: the route pattern with the values filled in.</summary>
    private static string RoutePath(RoutePattern pattern, IReadOnlyDictionary<string, string?>? values) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => Uri.EscapeDataString(values?.GetValueOrDefault(parameter.Name) ?? ""),
            _ => "",
        }))));

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

    private static void ResetResponse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Clear();
        var body = (MemoryStream)context.Response.Body;
        body.SetLength(0);
    }

    private CallToolResult ToResult(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var body = (MemoryStream)context.Response.Body;
        if (body.Length > MaxResultBytes)
        {
            return ToolError(ProblemResults.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.BodyTooLarge,
                $"The result is larger than {MaxResultBytes} bytes; ask for a smaller page (limit)."));
        }

        var text = Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
        JsonElement? json = null;
        if (text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                json = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                LogNotJson(context.Request.Method, context.Request.Path, status);
            }
        }

        if (status >= 400)
        {
            // Every problem of the API carries code and detail; keep the whole document for the model.
            return new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = text.Length > 0 ? text : $"{{\"status\":{status}}}" }],
                StructuredContent = json is { ValueKind: JsonValueKind.Object } ? json : null,
            };
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.Length > 0 ? text : "{}" }],
            StructuredContent = json is { ValueKind: JsonValueKind.Object } ? json : null,
        };
    }

    /// <summary>A problem as a tool error: the ProblemDetails JSON (code, detail, status) as text and structured content.</summary>
    internal static CallToolResult ToolError(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var node = new JsonObject
        {
            ["type"] = problem.Type,
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = problem.Detail,
        };
        foreach (var (name, value) in problem.Extensions)
        {
            node[name] = JsonSerializer.SerializeToNode(value);
        }

        node["traceId"] ??= TelemetryExtensions.CurrentTraceId();
        var text = node.ToJsonString();
        using var document = JsonDocument.Parse(text);
        return new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = document.RootElement.Clone(),
        };
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly HasBody Instance = new();

        public bool CanHaveBody => true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP tool call of {Method} {Path} answered {Status} with a body that is not JSON")]
    private partial void LogNotJson(string method, string path, int status);
}
