using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace OrleansAgents.Grains.Skills;

/// <summary>
/// Meter <c>OrleansAgents.Skills</c>, exported as <c>orleansagents_skills_llm_requests{provider,model,outcome}</c>,
/// <c>orleansagents_skills_llm_tokens{provider,model,kind}</c> (kind: input, output),
/// <c>orleansagents_skills_http_requests{host,outcome}</c> (monotonic per silo: sum over silos and
/// take rate(); observable, so a call costs one interlocked add) and the latency histogram
/// <c>orleansagents_skills_llm_duration_seconds_bucket{provider,model,le}</c> with <c>_sum</c> and <c>_count</c>.
/// </summary>
public sealed class SkillMetrics : IDisposable
{
    public const string MeterName = "OrleansAgents.Skills";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Provider, string Model, string Outcome), StrongBox<long>> _llmRequests = new();
    private readonly ConcurrentDictionary<(string Provider, string Model, string Kind), StrongBox<long>> _llmTokens = new();
    private readonly ConcurrentDictionary<(string Provider, string Model), LatencyHistogram> _llmDurations = new();
    private readonly ConcurrentDictionary<(string Host, string Outcome), StrongBox<long>> _httpRequests = new();

    public SkillMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("llm_requests", () => _llmRequests.Select(r => new Measurement<long>(Interlocked.Read(ref r.Value.Value),
            Tag("provider", r.Key.Provider), Tag("model", r.Key.Model), Tag("outcome", r.Key.Outcome))),
            "{request}", "llm.chat requests by provider, model and outcome.");
        _meter.CreateObservableCounter("llm_tokens", () => _llmTokens.Select(t => new Measurement<long>(Interlocked.Read(ref t.Value.Value),
            Tag("provider", t.Key.Provider), Tag("model", t.Key.Model), Tag("kind", t.Key.Kind))),
            "{token}", "Tokens the LLM providers reported, by provider, model and kind (input, output).");
        _meter.CreateObservableCounter("llm_duration_seconds_bucket", ObserveDurationBuckets, "{request}",
            "LLM calls that reached the provider, by provider, model and upper bound le (seconds, cumulative).");
        _meter.CreateObservableCounter("llm_duration_seconds_sum", () => _llmDurations.Select(d => new Measurement<double>(d.Value.Seconds,
            Tag("provider", d.Key.Provider), Tag("model", d.Key.Model))), "s", "Total seconds of LLM calls that reached the provider.");
        _meter.CreateObservableCounter("llm_duration_seconds_count", () => _llmDurations.Select(d => new Measurement<long>(d.Value.Count,
            Tag("provider", d.Key.Provider), Tag("model", d.Key.Model))), "{request}", "LLM calls that reached the provider.");
        _meter.CreateObservableCounter("http_requests", () => _httpRequests.Select(r => new Measurement<long>(Interlocked.Read(ref r.Value.Value),
            Tag("host", r.Key.Host), Tag("outcome", r.Key.Outcome))),
            "{request}", "http.request calls by target host and outcome.");
    }

    public void LlmRequest(string provider, string model, string outcome) =>
        Interlocked.Increment(ref _llmRequests.GetOrAdd((provider, model, outcome), _ => new StrongBox<long>()).Value);

    public void LlmTokens(string provider, string model, long input, long output)
    {
        Interlocked.Add(ref _llmTokens.GetOrAdd((provider, model, "input"), _ => new StrongBox<long>()).Value, input);
        Interlocked.Add(ref _llmTokens.GetOrAdd((provider, model, "output"), _ => new StrongBox<long>()).Value, output);
    }

    public void LlmDuration(string provider, string model, TimeSpan elapsed) =>
        _llmDurations.GetOrAdd((provider, model), _ => new LatencyHistogram()).Record(elapsed);

    public void HttpRequest(string host, string outcome) =>
        Interlocked.Increment(ref _httpRequests.GetOrAdd((host, outcome), _ => new StrongBox<long>()).Value);

    /// <summary>Current counts, for tests and diagnostics.</summary>
    public long LlmRequests(string provider, string model, string outcome) =>
        _llmRequests.TryGetValue((provider, model, outcome), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long HttpRequests(string host, string outcome) =>
        _httpRequests.TryGetValue((host, outcome), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long LlmTokenCount(string provider, string model, string kind) =>
        _llmTokens.TryGetValue((provider, model, kind), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private IEnumerable<Measurement<long>> ObserveDurationBuckets()
    {
        foreach (var ((provider, model), histogram) in _llmDurations)
        {
            var cumulative = 0L;
            for (var i = 0; i < LatencyHistogram.Bounds.Length; i++)
            {
                cumulative += histogram.CountIn(i);
                yield return new(cumulative, Tag("provider", provider), Tag("model", model), Tag("le", LatencyHistogram.Labels[i]));
            }
        }
    }

    /// <summary>
    /// A Prometheus-shaped histogram over observable counters: prometheus-net exports only the
    /// observable instruments of our meters (a pushed Histogram never showed up on /metrics), and
    /// histogram_quantile() needs only the _bucket series with their le labels.
    /// </summary>
    private sealed class LatencyHistogram
    {
        public static readonly double[] Bounds = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, double.PositiveInfinity];
        public static readonly string[] Labels = [.. Bounds.Select(b => double.IsPositiveInfinity(b) ? "+Inf" : b.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        private readonly long[] _counts = new long[Bounds.Length];
        private long _ticks;

        public double Seconds => TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds;

        public long Count => _counts.Sum(c => Interlocked.Read(ref c));

        public long CountIn(int bucket) => Interlocked.Read(ref _counts[bucket]);

        public void Record(TimeSpan elapsed)
        {
            var seconds = elapsed.TotalSeconds;
            var bucket = Array.FindIndex(Bounds, b => seconds <= b);
            Interlocked.Increment(ref _counts[bucket]);
            Interlocked.Add(ref _ticks, elapsed.Ticks);
        }
    }
}
