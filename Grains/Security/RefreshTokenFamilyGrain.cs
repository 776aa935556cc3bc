using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Stored with the Orleans binary serializer: never renumber an [Id] or change the alias.</summary>
[GenerateSerializer, Alias("OrleansAgents.RefreshTokenFamilyState.v1")]
public sealed class RefreshTokenFamilyState
{
    [Id(0)] public string? UserName { get; set; }

    /// <summary>SHA-256 of the one secret that may be presented next; never the secret itself.</summary>
    [Id(1)] public byte[] CurrentHash { get; set; } = [];

    /// <summary>Hashes of already rotated secrets, newest last: presenting one of them is reuse.</summary>
    [Id(2)] public List<byte[]> RotatedHashes { get; set; } = [];
    [Id(3)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(4)] public DateTimeOffset? RevokedAt { get; set; }
    [Id(5)] public int Rotations { get; set; }
}

/// <summary>
/// One login's chain of refresh tokens (key: family id). Each refresh rotates the secret; a
/// rotated secret presented again means two parties hold the chain, so the family is revoked and
/// the newest token stops working too. Whether the user is still allowed in (disabled, deleted)
/// is checked by the caller when it loads the user to mint the access token; deleting a user
/// revokes its families through <see cref="IUserGrain"/>.
/// </summary>
public sealed partial class RefreshTokenFamilyGrain(
    [PersistentState("family", StorageNames.Security)] IPersistentState<RefreshTokenFamilyState> state,
    IOptions<SecurityOptions> options,
    TimeProvider time,
    ILogger<RefreshTokenFamilyGrain> logger) : Grain, IRefreshTokenFamilyGrain
{
    private readonly SecurityOptions _options = options.Value;

    private RefreshTokenFamilyState S => state.State;

    private string FamilyId => this.GetPrimaryKeyString();

    public async Task<RefreshResult> StartAsync(string userName)
    {
        if (!RefreshTokenRules.IsValidFamilyId(FamilyId))
        {
            throw new DomainException(ErrorCodes.TokenInvalidId, "Refresh-token family ids come from RefreshTokenRules.NewFamilyId().");
        }

        if (S.UserName is not null)
        {
            throw new DomainException(ErrorCodes.AuthInvalidRefreshToken, "This refresh-token family was already started.", DomainErrorKind.Conflict);
        }

        UserValidation.RequireValidName(userName);
        var expiresAt = time.GetUtcNow() + _options.RefreshTokenLifetime;

        // The user learns of the family first (404 when there is no user), so deleting it can revoke the family.
        await GrainFactory.GetGrain<IUserGrain>(userName).AddRefreshFamilyAsync(FamilyId, expiresAt);
        var secret = RefreshTokenRules.NewSecret();
        S.UserName = userName;
        S.ExpiresAt = expiresAt;
        S.CurrentHash = RefreshTokenRules.Hash(secret);
        await state.SaveOrDeactivateAsync(this);
        return new RefreshResult(true, userName, RefreshTokenRules.Format(FamilyId, secret), expiresAt, null, false);
    }

    public async Task<RefreshResult> RotateAsync(string refreshToken)
    {
        if (!RefreshTokenRules.TryParse(refreshToken, out var familyId, out var secret) || familyId != FamilyId)
        {
            return new RefreshResult(false, null, null, null, RefreshProblems.Malformed, false);
        }

        if (S.UserName is null)
        {
            return Refused(RefreshProblems.Unknown);
        }

        if (S.RevokedAt is not null)
        {
            return Refused(RefreshProblems.Revoked, familyRevoked: true);
        }

        if (time.GetUtcNow() >= S.ExpiresAt)
        {
            return Refused(RefreshProblems.Expired);
        }

        var hash = RefreshTokenRules.Hash(secret);
        if (CryptographicOperations.FixedTimeEquals(hash, S.CurrentHash))
        {
            var next = RefreshTokenRules.NewSecret();
            S.RotatedHashes.Add(S.CurrentHash);
            if (S.RotatedHashes.Count > _options.RotatedSecretsKept)
            {
                S.RotatedHashes.RemoveRange(0, S.RotatedHashes.Count - _options.RotatedSecretsKept);
            }

            S.CurrentHash = RefreshTokenRules.Hash(next);
            S.Rotations++;
            await state.SaveOrDeactivateAsync(this);
            return new RefreshResult(true, S.UserName, RefreshTokenRules.Format(FamilyId, next), S.ExpiresAt, null, false);
        }

        if (S.RotatedHashes.Any(h => CryptographicOperations.FixedTimeEquals(h, hash)))
        {
            await RevokeAsync();
            LogReuse(S.UserName, FamilyId);
            return Refused(RefreshProblems.Reuse, familyRevoked: true);
        }

        return Refused(RefreshProblems.Invalid);
    }

    public async Task RevokeAsync()
    {
        if (S.UserName is null || S.RevokedAt is not null)
        {
            return;
        }

        S.RevokedAt = time.GetUtcNow();
        S.CurrentHash = [];
        await state.SaveOrDeactivateAsync(this);
    }

    private RefreshResult Refused(string problem, bool familyRevoked = false) =>
        new(false, S.UserName, null, null, problem, familyRevoked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reuse for user {UserName}: family {FamilyId} revoked")]
    private partial void LogReuse(string userName, string familyId);
}
