using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansAgents.Hosting;

public static class TelemetryExtensions
{
    /// <summary>Orleans' activity sources (grain calls made by our code, and runtime calls).</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    /// <summary>Spans of stored work run later (task attempts, conversation turns): Grains' <c>WorkTracing.SourceName</c>.</summary>
    public const string WorkActivitySource = "OrleansAgents.Work";

    /// <summary>
    /// W3C tracing for a silo or the API: incoming HTTP requests, grain calls (with Orleans' activity
    /// propagation, which the silo and client builders add) and outgoing HTTP calls share one trace.
    /// Spans are exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set; trace ids exist
    /// either way, so every log line written inside a request carries them.
    /// </summary>
    public static IHostApplicationBuilder AddAgentsTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddSimpleConsole(o =>
        {
            // The activity tracking scope ("SpanId:…, TraceId:…") is printed with every line.
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddSource(OrleansActivitySources)
                .AddSource(WorkActivitySource)
                .AddAspNetCoreInstrumentation(o => o.Filter = IsTraced)
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The W3C trace id of the current request, or null outside one.</summary>
    public static string? CurrentTraceId() => Activity.Current is { } a ? a.TraceId.ToHexString() : null;

    // Probes and scrapes every few seconds would drown the real traces.
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)
        && !context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal);
}
