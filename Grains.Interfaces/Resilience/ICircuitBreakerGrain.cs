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
}
