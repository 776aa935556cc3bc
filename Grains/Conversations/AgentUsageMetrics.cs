using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace OrleansAgents.Grains.Conversations;

/// <summary>
/// Meter <c>OrleansAgents.Conversations</c>: what hosted agents' turns used, by agent, provider and
/// model — <c>agent_tokens{agent,provider,model,kind}</c> (kind: input, output) and
/// <c>agent_cost_usd{agent,provider,model}</c> (priced models only), and <c>user_cost_usd{user}</c>,
/// what each conversation owner's turns cost (one series per user who used a priced model since the
/// silo started). Monotonic per silo: sum over silos and take rate() or increase().
/// </summary>
public sealed class AgentUsageMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Conversations";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Agent, string Provider, string Model, string Kind), StrongBox<long>> _tokens = new();
    private readonly ConcurrentDictionary<(string Agent, string Provider, string Model), StrongBox<double>> _cost = new();
    private readonly ConcurrentDictionary<string, StrongBox<double>> _userCost = new(StringComparer.Ordinal);

    public AgentUsageMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("agent_tokens", () => _tokens.Select(t => new Measurement<long>(Interlocked.Read(ref t.Value.Value),
            Tag("agent", t.Key.Agent), Tag("provider", t.Key.Provider), Tag("model", t.Key.Model), Tag("kind", t.Key.Kind))),
            "{token}", "Tokens hosted agents' turns used, by agent, provider, model and kind (input, output).");
        _meter.CreateObservableCounter("agent_cost_usd", () => _cost.Select(c => new Measurement<double>(Volatile.Read(ref c.Value.Value),
            Tag("agent", c.Key.Agent), Tag("provider", c.Key.Provider), Tag("model", c.Key.Model))),
            "USD", "Cost of hosted agents' turns from the price table (Skills:Llm:Prices), by agent, provider and model.");
        _meter.CreateObservableCounter("user_cost_usd", () => _userCost.Select(c => new Measurement<double>(Volatile.Read(ref c.Value.Value), Tag("user", c.Key))),
            "USD", "Cost of hosted agents' turns from the price table, by the conversation's owner (who pays, delegates' turns included).");
    }

    public void Turn(string agent, string user, string provider, string model, long input, long output, decimal cost)
    {
        Interlocked.Add(ref _tokens.GetOrAdd((agent, provider, model, "input"), _ => new StrongBox<long>()).Value, input);
        Interlocked.Add(ref _tokens.GetOrAdd((agent, provider, model, "output"), _ => new StrongBox<long>()).Value, output);
        Add(_cost.GetOrAdd((agent, provider, model), _ => new StrongBox<double>()), cost);
        if (cost > 0)
        {
            Add(_userCost.GetOrAdd(user, _ => new StrongBox<double>()), cost);
        }
    }

    private static void Add(StrongBox<double> box, decimal cost)
    {
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
