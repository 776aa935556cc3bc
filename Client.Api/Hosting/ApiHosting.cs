using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Orleans.Dashboard;
using OrleansAgents.Api.A2a;
using OrleansAgents.Api.Apis;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Mcp;
using OrleansAgents.Api.OperatorConsole;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;
using OrleansAgents.Hosting;
using Prometheus;
using Scalar.AspNetCore;

namespace OrleansAgents.Api.Hosting;

public static class ApiHosting
{
    public static WebApplicationBuilder AddAgentsApi(this WebApplicationBuilder builder)
    {
        builder.AddAgentsCluster();
        builder.AddAgentsSecurity();
        ListenOnManagementPort(builder);
        builder.AddAgentsTelemetry("orleans-agents-api");
        var services = builder.Services;
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
            // A misspelt field is a client bug; say so instead of silently ignoring it.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.MaxDepth = 16;
            // {"id":"a","id":"b"} is ambiguous; refuse it rather than let the last one win.
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // The W3C trace id, the one in the logs and in the tracing backend (ASP.NET's default is the full traceparent).
            c.ProblemDetails.Extensions["traceId"] = TelemetryExtensions.CurrentTraceId() ?? c.HttpContext.TraceIdentifier;
            if (!c.ProblemDetails.Extensions.ContainsKey("code"))
            {
                // Responses the framework produces itself (unknown route, wrong method).
                c.ProblemDetails.Extensions["code"] = c.ProblemDetails.Status switch
                {
                    404 => ErrorCodes.NotFound,
                    405 => ErrorCodes.MethodNotAllowed,
                    413 => ErrorCodes.BodyTooLarge,
                    415 => ErrorCodes.UnsupportedMediaType,
                    >= 500 => ErrorCodes.Internal,
                    _ => ErrorCodes.ValidationFailed,
                };
                c.ProblemDetails.Extensions["recoverable"] = c.ProblemDetails.Status >= 500;
            }
        });
        services.AddExceptionHandler<ErrorHandling>();
        services.AddSingleton<JsonBodyErrors>();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());
        services.AddAgentsRateLimiting();
        services.AddAgentsMcp();
        services.AddA2a();
        services.AddAgentsConsole();
        services.AddOptions<WorkflowApprovalOptions>().BindConfiguration("Workflows");
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section)
            .Validate(o => o.MaxConcurrentPerUser >= 1, "Streams:MaxConcurrentPerUser must be at least 1.")
            .Validate(o => o.RecheckInterval > TimeSpan.Zero && o.ApiKeyRecheckInterval > TimeSpan.Zero, "Streams:RecheckInterval and ApiKeyRecheckInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<StreamSessions>();
        return builder;
    }

    /// <summary>Adds the management port next to every public address of Urls (same host).</summary>
    private static void ListenOnManagementPort(WebApplicationBuilder builder)
    {
        var port = ApiSettings.Read(builder.Configuration).ManagementPort;
        var urls = (builder.Configuration["Urls"] ?? "http://127.0.0.1:8080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = urls.Select(u => new UriBuilder(u.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal))).ToList();
        if (parsed.Any(u => u.Port == port))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(ApiSettings.Section, typeof(ApiSettings),
                [$"Orleans:ManagementPort {port} is also a public port in Urls; /metrics and the dashboard must not be public."]);
        }

        var management = parsed.Select(u => new UriBuilder(u.Uri) { Port = port }.Uri.ToString().TrimEnd('/')).Distinct();
        builder.WebHost.UseUrls([.. urls, .. management]);
    }

    public static WebApplication UseAgentsApi(this WebApplication app)
    {
        // First: the client address everything after sees is the one known proxies vouch for.
        app.UseAgentsForwardedHeaders();

        // Outermost, so the recorded status is the one the client got, error responses included.
        app.UseHttpMetrics();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Client mistakes are answered with a 4xx; they are not server errors worth a stack trace.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException or DomainException,
        });
        app.UseStatusCodePages();
        app.UseLocalPortEndpoints();
        // After routing (the endpoint says whether it binds a JSON body), before any endpoint reads one.
        app.Use(JsonBodyErrors.KeepJsonBodies);

        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription();
        app.MapAgentsHealthEndpoints();
        // Operator surfaces answer only on the management port (Orleans:ManagementPort), by the
        // connection's local port: a Host header is whatever the client writes.
        var management = app.Services.GetRequiredService<ApiSettings>().ManagementPort;
        app.MapMetrics("/metrics").RequireLocalPort(management);
        if (app.Services.GetRequiredService<ApiSettings>().DashboardEnabled)
        {
            app.MapOrleansDashboard("/dashboard").RequireLocalPort(management).ExcludeFromDescription();
        }

        // Who the caller is comes first: rate limits are charged to the authenticated subject.
        app.UseAuthentication();
        app.UseAuthorization();

        // Every /api route is rate limited per caller by the bucket grains.
        app.UseAgentsRateLimiting();
        // Domain errors become ProblemDetails for every /api endpoint; inside the retry, which repeats only transient failures.
        var api = app.MapGroup("/api").RequireRateLimiting(RateLimitingSetup.PolicyName).AddEndpointFilter<TransientClusterRetry>()
            .AddEndpointFilter<DomainErrorFilter>()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(SecurityHosting.DefaultMaxBodyBytes));
        api.MapAgentsApi();
        api.MapRateLimitsApi();
        api.MapCircuitBreakersApi();
        api.MapAuthApi();
        api.MapUsersApi();
        api.MapTasksApi();
        api.MapConversationsApi();
        api.MapUsageApi();
        api.MapWorkerLeasesApi();
        api.MapJobsApi();
        api.MapClusterApi();
        api.MapMemoryApi();
        api.MapAuditApi();
        api.MapWorkflowsApi();
        api.MapWorkflowGenerationApi();
        api.MapOptimizationsApi();
        api.MapTrustApi();
        api.MapConsensusApi();
        api.MapCollectiveApi();
        api.MapA2aApi();
        app.MapAgentsMcp();
        app.MapA2aAgentCard();
        app.MapAgentsConsole();
        return app;
    }
}
