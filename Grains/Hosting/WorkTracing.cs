using System.Diagnostics;

namespace OrleansAgents.Grains.Hosting;

/// <summary>
/// One trace from a request to the work it asked for, across the moments the work runs later (a
/// queued task's attempt, a conversation's turn, after a crash on another silo): the W3C id of the
/// activity that asked (<see cref="Capture"/>, stored with the work) becomes the parent of the
/// span that runs it (<see cref="Start"/>). Grain calls made inside that span carry it on (Orleans'
/// activity propagation), so a turn's tool tasks, a delegate's turn and its model calls land in the
/// caller's trace. Spans are created only when something listens (OpenTelemetry adds
/// <see cref="SourceName"/> in Hosting.Defaults).
/// </summary>
public static class WorkTracing
{
    public const string SourceName = "OrleansAgents.Work";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current activity's W3C id ("00-trace-span-flags"), or null outside a trace.</summary>
    public static string? Capture() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>Starts the span that runs stored work, as a child of the stored parent when there is one.</summary>
    public static Activity? Start(string name, string? traceParent, params (string Key, object? Value)[] tags)
    {
        var parent = ActivityContext.TryParse(traceParent, null, isRemote: true, out var stored) ? stored : default;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        if (activity is not null)
        {
            foreach (var (key, value) in tags)
            {
                activity.SetTag(key, value);
            }
        }

        return activity;
    }
}
