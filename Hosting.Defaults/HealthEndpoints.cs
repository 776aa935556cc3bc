using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansAgents.Hosting;

public static class HealthEndpoints
{
    /// <summary>Liveness: the process answers. Kubernetes liveness probes point here (tests/Deploy.Tests checks).</summary>
    public const string LivePath = "/health/live";

    /// <summary>Readiness: every check tagged "ready" passes. Kubernetes startup and readiness probes point here.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>/health/live (process answers) and /health/ready (every "ready" check passes), as JSON.</summary>
    public static IEndpointRouteBuilder MapAgentsHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready), ResponseWriter = WriteAsync });
        return app;
    }

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, durationMs = e.Value.Duration.TotalMilliseconds }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}
