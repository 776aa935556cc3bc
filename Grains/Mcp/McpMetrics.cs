using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace OrleansAgents.Grains.Mcp;

/// <summary>
/// Meter <c>OrleansAgents.Mcp</c>: <c>orleansagents_mcp_tool_calls{server,tool,outcome}</c> (outcome:
/// success, tool_error, rate_limited, circuit_open, timeout, network_error, protocol_error...) and
/// <c>orleansagents_mcp_tool_call_duration_seconds_sum/_count{server,tool}</c> for calls that reached
/// the server. Observable counters, like the skills' meters, because prometheus-net exports those.
/// Labels are bounded: servers and tools come from configuration only (tools/list counts as tool "tools/list").
/// </summary>
public sealed class McpMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Mcp";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Server, string Tool, string Outcome), StrongBox<long>> _calls = new();
    private readonly ConcurrentDictionary<(string Server, string Tool), StrongBox<long>> _ticks = new();
    private readonly ConcurrentDictionary<(string Server, string Tool), StrongBox<long>> _timed = new();

    public McpMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("tool_calls", () => _calls.Select(c => new Measurement<long>(Interlocked.Read(ref c.Value.Value),
            Tag("server", c.Key.Server), Tag("tool", c.Key.Tool), Tag("outcome", c.Key.Outcome))),
            "{call}", "MCP calls of hosted agents by server, tool and outcome.");
        _meter.CreateObservableCounter("tool_call_duration_seconds_sum", () => _ticks.Select(t => new Measurement<double>(
            TimeSpan.FromTicks(Interlocked.Read(ref t.Value.Value)).TotalSeconds, Tag("server", t.Key.Server), Tag("tool", t.Key.Tool))),
            "s", "Total seconds of MCP calls that reached the server.");
        _meter.CreateObservableCounter("tool_call_duration_seconds_count", () => _timed.Select(t => new Measurement<long>(
            Interlocked.Read(ref t.Value.Value), Tag("server", t.Key.Server), Tag("tool", t.Key.Tool))),
            "{call}", "MCP calls that reached the server.");
    }

    public void Call(string server, string tool, string outcome) =>
        Interlocked.Increment(ref _calls.GetOrAdd((server, tool, outcome), _ => new StrongBox<long>()).Value);

    public void Duration(string server, string tool, TimeSpan elapsed)
    {
        Interlocked.Add(ref _ticks.GetOrAdd((server, tool), _ => new StrongBox<long>()).Value, elapsed.Ticks);
        Interlocked.Increment(ref _timed.GetOrAdd((server, tool), _ => new StrongBox<long>()).Value);
    }

    /// <summary>Current count, for tests and diagnostics.</summary>
    public long Calls(string server, string tool, string outcome) =>
        _calls.TryGetValue((server, tool, outcome), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
