using System.Globalization;
using OrleansAgents.Trust;

namespace OrleansAgents.Api.Apis;

/// <summary>
/// Body of POST /api/agents/{id}/ratings. <c>rater</c> absent: the caller rates as a user (the
/// users' peer); an agent id: the caller speaks for that agent (see TrustApi for who may).
/// </summary>
public sealed record RatingRequest(TrustOutcome? Outcome, double? Weight, string? Reason, string? Rater);

public sealed record RatingResponse(string Rater, string Target, TrustOutcome Outcome, double Weight, bool Recorded);

public sealed record TrustScoreResponse(string AgentId, double Trust, int? Rank, bool Computed, long Version, DateTimeOffset? ComputedAt)
{
    public static TrustScoreResponse From(GlobalTrustScore s) => new(s.AgentId, s.Trust, s.Rank, s.Computed, s.Version, s.ComputedAt);
}

/// <summary>A page of the ranking; pass <c>nextCursor</c> back as <c>cursor</c>.</summary>
public sealed record TrustRankingResponse(IReadOnlyList<TrustScoreResponse> Items, int Total, long Version, DateTimeOffset? ComputedAt, string? NextCursor);

public sealed record TrustRecomputeResponse(
    string Domain, TrustRecomputePhase Phase, bool Running, int Peers, long Ratings, int Iteration, double? Residual, bool Converged,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? DurationMs, string? Error, long Version)
{
    public static TrustRecomputeResponse From(TrustRecomputeStatus s) => new(
        s.Domain, s.Phase, s.Running, s.Peers, s.Ratings, s.Iteration, s.Residual, s.Converged,
        s.StartedAt, s.FinishedAt, s.Duration?.TotalMilliseconds, s.Error, s.Version);
}

/// <summary>The ranking cursor is <c>{version}.{offset}</c>: a page never mixes two computations.</summary>
public static class TrustCursor
{
    public static string Encode(long version, int offset) =>
        version.ToString(CultureInfo.InvariantCulture) + "." + offset.ToString(CultureInfo.InvariantCulture);

    public static bool TryDecode(string cursor, out long version, out int offset)
    {
        version = 0;
        offset = 0;
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0
            && int.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }
}
