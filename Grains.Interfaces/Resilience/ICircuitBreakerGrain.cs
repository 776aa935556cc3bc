namespace OrleansAgents.Resilience;

/// <summary>
/// One cluster-wide breaker per downstream dependency (key: dependency name, e.g. <c>llm:ollama</c>).
/// Calls do not go through it: processes decide on a local view and report outcomes in batches.
/// </summary>
[Alias("OrleansAgents.ICircuitBreakerGrain")]
public interface ICircuitBreakerGrain : IGrainWithStringKey
{
    [Alias("Get")]
    ValueTask<BreakerView> GetAsync();

    /// <summary>Adds a batch of outcomes and returns the (possibly changed) state.</summary>
    [Alias("Report")]
    ValueTask<BreakerSnapshot> ReportAsync(BreakerOutcomes outcomes);

    /// <summary>Asks for one of the bounded half-open probes; true means "make the call and report it".</summary>
    [Alias("TryAcquireProbe")]
    ValueTask<bool> TryAcquireProbeAsync();

    [Alias("ReportProbe")]
    ValueTask<BreakerSnapshot> ReportProbeAsync(bool succeeded);

    /// <summary>Holds the breaker open until <see cref="CloseAsync"/>; survives restarts.</summary>
    [Alias("Isolate")]
    Task<BreakerView> IsolateAsync(string reason);

    [Alias("Close")]
    Task<BreakerView> CloseAsync(string reason);

    [Alias("Subscribe")]
    Task SubscribeAsync(IBreakerObserver observer);
}

/// <summary>A process's local view; the grain pushes every transition to it.</summary>
[Alias("OrleansAgents.IBreakerObserver")]
public interface IBreakerObserver : IGrainObserver
{
    [Alias("OnChanged")]
    void OnChanged(BreakerSnapshot snapshot);
}

/// <summary>Names of every breaker ever used (key 0). Touched once per new name, never per call.</summary>
[Alias("OrleansAgents.IBreakerRegistryGrain")]
public interface IBreakerRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string name);

    [Alias("List")]
    ValueTask<IReadOnlyList<string>> ListAsync();

    /// <summary>Whether a breaker of that name has been used or configured (a lookup that creates nothing).</summary>
    [Alias("Contains")]
    ValueTask<bool> ContainsAsync(string name);

    /// <summary>Every breaker's view, read in bounded parallel batches.</summary>
    /// <remarks>
    /// The fan-outs interleave: a breaker whose activation registers it (<see cref="AddAsync"/>) must
    /// not wait behind a fan-out that is waiting for that very breaker.
    /// </remarks>
    [Alias("ListViews"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<BreakerView>> ListViewsAsync();

    /// <summary>Closes every breaker, isolated ones included, in bounded parallel batches; returns their views.</summary>
    [Alias("CloseAll"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<BreakerView>> CloseAllAsync(string reason);
}
