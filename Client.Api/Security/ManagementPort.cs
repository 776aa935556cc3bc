namespace OrleansAgents.Api.Security;

/// <summary>Endpoint metadata: answer only on connections accepted on this local port.</summary>
public sealed record LocalPortOnly(int Port);

/// <summary>
/// Operator surfaces (/metrics, /dashboard) answer only on the management port. The check is on
/// the port the connection was accepted on, not on the Host header: a client on the public port
/// writes any Host it likes (issue 17: <c>Host: x:8091</c> on 8080 used to get the metrics).
/// </summary>
public static class ManagementPort
{
    public static TBuilder RequireLocalPort<TBuilder>(this TBuilder builder, int port)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LocalPortOnly(port));

    /// <summary>After routing: a request for such an endpoint on another port gets the 404 an unknown route would.</summary>
    public static IApplicationBuilder UseLocalPortEndpoints(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<LocalPortOnly>() is { } only && context.Connection.LocalPort != only.Port)
            {
                context.SetEndpoint(null);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
}
