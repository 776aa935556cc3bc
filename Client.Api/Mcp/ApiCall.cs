using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace OrleansAgents.Api.Mcp;

/// <summary>One call of an /api endpoint on behalf of an MCP tool: route values, query, JSON body, headers.</summary>
public sealed record ApiCall(
    string EndpointName,
    IReadOnlyDictionary<string, string?>? Route = null,
    IReadOnlyDictionary<string, string?>? Query = null,
    JsonObject? Body = null,
    IReadOnlyDictionary<string, string?>? Headers = null)
{
    /// <summary>
    /// The request the endpoint would have received over HTTP, as the caller of /mcp (same user,
    /// services, client address, trace id); the response body is captured in memory.
    /// </summary>
    internal DefaultHttpContext ToHttpContext(HttpContext parent, RouteEndpoint endpoint, string method, CancellationToken cancellationToken)
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
        request.Path = RoutePath(endpoint.RoutePattern, Route);
        foreach (var (name, value) in Route ?? new Dictionary<string, string?>())
        {
            request.RouteValues[name] = value;
        }

        request.QueryString = QueryString.Create((Query ?? new Dictionary<string, string?>()).Where(q => q.Value is not null));
        foreach (var (name, value) in Headers ?? new Dictionary<string, string?>())
        {
            if (value is not null)
            {
                request.Headers[name] = value;
            }
        }

        if (Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(Body.ToJsonString());
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

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly HasBody Instance = new();

        public bool CanHaveBody => true;
    }
}

