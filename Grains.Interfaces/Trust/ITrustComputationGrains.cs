namespace OrleansAgents.Trust;

/// <summary>
/// One shard (key <c>{domain}/{n}</c>, n &lt; <see cref="TrustRules.DirectoryShards"/>) of the set of
/// peers a domain knows: every rater with a row and every agent rated. Rows announce new peers only.
/// </summary>
[Alias("OrleansAgents.ITrustDirectoryShardGrain")]
public interface ITrustDirectoryShardGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(IReadOnlyList<string> peers);

    [Alias("List")]
    ValueTask<IReadOnlyList<string>> ListAsync();
}

/// <summary>Which rows a partition stages for one computation: raters Peers[Start..Start+Count).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustPartitionLoad")]
public sealed record class TrustPartitionLoad(
    [property: Id(0)] long Epoch,
    [property: Id(1)] IReadOnlyList<string> Peers,
    [property: Id(2)] int Start,
    [property: Id(3)] int Count,
    [property: Id(4)] int BatchSize);

[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustPartitionLoaded")]
public sealed record class TrustPartitionLoaded(
    [property: Id(0)] int Rows,
    [property: Id(1)] int EmptyRows,
    [property: Id(2)] int Edges,
    [property: Id(3)] long Ratings);

/// <summary>
/// A partition's share of Cᵀ·t: <paramref name="Values"/>[j] = Σ_i c_ij·t_i over its non-empty
/// rows, and the trust held by its empty rows (<paramref name="Dangling"/>), which the
/// coordinator spreads by p.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.TrustContribution")]
public sealed record class TrustContribution(
    [property: Id(0)] double[] Values,
    [property: Id(1)] double Dangling);

/// <summary>
/// Stages normalised rows of a range of raters (key <c>{domain}/{n}</c>) for the coordinator's
/// iterations; kept in memory for one computation (epoch) only.
/// </summary>
[Alias("OrleansAgents.ITrustPartitionGrain")]
public interface ITrustPartitionGrain : IGrainWithStringKey
{
    [Alias("Load")]
    Task<TrustPartitionLoaded> LoadAsync(TrustPartitionLoad load);

    [Alias("Iterate")]
    Task<TrustContribution> IterateAsync(long epoch, double[] trust);

    /// <summary>Drops the staged rows.</summary>
    [Alias("Release")]
    Task ReleaseAsync(long epoch);
}
