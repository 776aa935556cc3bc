using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Meter <c>OrleansAgents.Conversations</c>: what hosted agents' turns used, by agent, provider and
/// model — <c>agent_tokens{agent,provider,model,kind}</c> (kind: input, output) and
/// <c>agent_cost_usd{agent,provider,model}</c> (priced models only). Monotonic per silo: sum over
/// silos and take rate() or increase().
/// </summary>
public sealed class AgentUsageMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Conversations";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Agent, string Provider, string Model, string Kind), StrongBox<long>> _tokens = new();
    private readonly ConcurrentDictionary<(string Agent, string Provider, string Model), StrongBox<double>> _cost = new();

    public AgentUsageMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("agent_tokens", () => _tokens.Select(t => new Measurement<long>(Interlocked.Read(ref t.Value.Value),
            Tag("agent", t.Key.Agent), Tag("provider", t.Key.Provider), Tag("model", t.Key.Model), Tag("kind", t.Key.Kind))),
            "{token}", "Tokens hosted agents' turns used, by agent, provider, model and kind (input, output).");
        _meter.CreateObservableCounter("agent_cost_usd", () => _cost.Select(c => new Measurement<double>(Volatile.Read(ref c.Value.Value),
            Tag("agent", c.Key.Agent), Tag("provider", c.Key.Provider), Tag("model", c.Key.Model))),
            "USD", "Cost of hosted agents' turns from the price table (Skills:Llm:Prices), by agent, provider and model.");
    }

    public void Turn(string agent, string provider, string model, long input, long output, decimal cost)
    {
        Interlocked.Add(ref _tokens.GetOrAdd((agent, provider, model, "input"), _ => new StrongBox<long>()).Value, input);
        Interlocked.Add(ref _tokens.GetOrAdd((agent, provider, model, "output"), _ => new StrongBox<long>()).Value, output);
        var box = _cost.GetOrAdd((agent, provider, model), _ => new StrongBox<double>());
        double seen, next;
        do
        {
            seen = Volatile.Read(ref box.Value);
            next = seen + (double)cost;
        }
        while (Interlocked.CompareExchange(ref box.Value, next, seen) != seen);
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
