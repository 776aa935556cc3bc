using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Stored with the Orleans binary serializer: never renumber an [Id] or change the alias.</summary>
[GenerateSerializer, Alias("OrleansAgents.TokenRevocationState.v1")]
public sealed class TokenRevocationState
{
    /// <summary>Live revocations in the order they were added (ascending <see cref="RevocationEntry.Version"/>).</summary>
    [Id(0)] public List<RevocationEntry> Entries { get; set; } = [];

    /// <summary>Version of the newest revocation ever added.</summary>
    [Id(1)] public long Version { get; set; }

    /// <summary>Highest version among pruned entries: a reader older than this may have missed some.</summary>
    [Id(2)] public long PrunedThrough { get; set; }
}

[GenerateSerializer, Alias("OrleansAgents.RevocationEntry.v1")]
public sealed record class RevocationEntry(
    [property: Id(0)] string Jti,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] long Version);

/// <summary>
/// The deny list of access-token ids (key: 0). Writes are rare (logouts, admin revocations) and
/// entries leave once their token would have expired, so the list stays small; reads come from
/// each API process's <c>RevocationCache</c> once per poll interval, not per request.
/// </summary>
public sealed class TokenRevocationGrain(
    [PersistentState("revocations", StorageNames.Security)] IPersistentState<TokenRevocationState> state,
    TimeProvider time) : Grain, ITokenRevocationGrain
{
    /// <summary>Token ids are ours (GUID-like); anything much longer is not one.</summary>
    public const int MaxJtiLength = 128;

    private TokenRevocationState S => state.State;

    public async Task RevokeAsync(RevokedToken token)
    {
        if (string.IsNullOrWhiteSpace(token.Jti) || token.Jti.Length > MaxJtiLength)
        {
            throw new DomainException(ErrorCodes.TokenInvalidId, $"Token ids have 1 to {MaxJtiLength} characters.");
        }

        var now = time.GetUtcNow();
        var pruned = Prune(now);
        var existing = S.Entries.FindIndex(e => e.Jti == token.Jti);
        var needed = token.ExpiresAt > now && (existing < 0 || S.Entries[existing].ExpiresAt < token.ExpiresAt);
        if (needed)
        {
            if (existing >= 0)
            {
                // A later expiry must reach the caches again, so the entry moves to the new version.
                S.Entries.RemoveAt(existing);
            }

            S.Entries.Add(new RevocationEntry(token.Jti, token.ExpiresAt, ++S.Version));
        }

        if (needed || pruned)
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<RevocationPage> GetSinceAsync(long version)
    {
        var now = time.GetUtcNow();

        // Behind the pruning horizon, or ahead of us (our storage was reset): the caller gets everything live.
        var from = version < S.PrunedThrough || version > S.Version || version < 0 ? 0 : version;
        var entries = S.Entries
            .Where(e => e.Version > from && e.ExpiresAt > now)
            .Select(e => new RevokedToken(e.Jti, e.ExpiresAt))
            .ToArray();
        return ValueTask.FromResult(new RevocationPage(entries, S.Version));
    }

    private bool Prune(DateTimeOffset now)
    {
        var pruned = false;
        for (var i = S.Entries.Count - 1; i >= 0; i--)
        {
            if (S.Entries[i].ExpiresAt <= now)
            {
                S.PrunedThrough = Math.Max(S.PrunedThrough, S.Entries[i].Version);
                S.Entries.RemoveAt(i);
                pruned = true;
            }
        }

        return pruned;
    }
}
