namespace OrleansAgents.Collective;

[GenerateSerializer, Alias("OrleansAgents.NetworkEdgeKind")]
public enum NetworkEdgeKind
{
    /// <summary>From delegated a task to To (directed).</summary>
    Delegation = 0,

    /// <summary>From and To answered the same consensus round (undirected, From &lt; To).</summary>
    Consensus = 1,

    /// <summary>From rated To (directed).</summary>
    Rating = 2,
}

/// <summary>
/// An accumulated edge. <paramref name="Weight"/> counts interactions; <paramref name="Positive"/> and
/// <paramref name="Negative"/> split them (ratings: satisfied / unsatisfied weight; delegations:
/// succeeded / failed tasks; consensus: agreed / disagreed on the chosen answer).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.NetworkEdge")]
public sealed record class NetworkEdge(
    [property: Id(0)] string From,
    [property: Id(1)] string To,
    [property: Id(2)] NetworkEdgeKind Kind,
    [property: Id(3)] double Weight,
    [property: Id(4)] double Positive,
    [property: Id(5)] double Negative);

[GenerateSerializer, Immutable, Alias("OrleansAgents.NetworkNode")]
public sealed record class NetworkNode(
    [property: Id(0)] string Id,
    [property: Id(1)] int Degree,
    [property: Id(2)] double WeightedDegree,
    [property: Id(3)] double DegreeCentrality,
    [property: Id(4)] double Betweenness,
    [property: Id(5)] string Community,
    [property: Id(6)] double? Trust);

/// <summary>A community; its id is its smallest member id (ordinal).</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.NetworkCommunity")]
public sealed record class NetworkCommunity(
    [property: Id(0)] string Id,
    [property: Id(1)] IReadOnlyList<string> Members,
    [property: Id(2)] bool New);

/// <summary>
/// A dense cluster of mutual satisfied ratings whose ratings from outside are poor.
/// <paramref name="Density"/>: share of ordered member pairs with a net satisfied rating;
/// <paramref name="OutsideSatisfaction"/>: satisfied / all rating weight members got from non-members.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.CollusionWarning")]
public sealed record class CollusionWarning(
    [property: Id(0)] IReadOnlyList<string> Members,
    [property: Id(1)] double Density,
    [property: Id(2)] double OutsideSatisfaction,
    [property: Id(3)] double OutsideRatings,
    [property: Id(4)] int OutsideRaters);

[GenerateSerializer, Immutable, Alias("OrleansAgents.NetworkSignals")]
public sealed record class NetworkSignals(
    [property: Id(0)] double? TrustGini,
    [property: Id(1)] IReadOnlyList<string> NewCommunities,
    [property: Id(2)] IReadOnlyList<CollusionWarning> Collusion,
    [property: Id(3)] DateTimeOffset? BaselineAt);

/// <summary>
/// The collaboration network: the <c>limit</c> nodes of highest weighted degree, the edges among them,
/// and analytics computed over at most <see cref="AnalysedNodes"/> nodes (Collective:MaxAnalysisNodes).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.CollaborationNetwork")]
public sealed record class CollaborationNetwork(
    [property: Id(0)] IReadOnlyList<NetworkNode> Nodes,
    [property: Id(1)] IReadOnlyList<NetworkEdge> Edges,
    [property: Id(2)] IReadOnlyList<NetworkCommunity> Communities,
    [property: Id(3)] NetworkSignals Signals,
    [property: Id(4)] int TotalNodes,
    [property: Id(5)] int AnalysedNodes,
    [property: Id(6)] DateTimeOffset ComputedAt);

