using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Password checks with lockout, and the user's refresh-token families.</summary>
public sealed partial class UserGrain
{
    // Unknown users are checked against this, so they cost as much time as a wrong password: made
    // by the configured hasher, so it has the same iteration count as real hashes.
    private static string? _decoyHash;

    private string DecoyHash => _decoyHash ??= hasher.HashPassword(new UserState(), Guid.NewGuid().ToString());

    public async Task<LoginResult> VerifyPasswordAsync(string password)
    {
        if (!S.Exists || !SecurityRules.IsValidUserName(Name))
        {
            // No state is written: probing names must not create users.
            hasher.VerifyHashedPassword(S, DecoyHash, password ?? "");
            return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
        }

        var now = time.GetUtcNow();

        // No lock here (issue 17: anyone could keep a user locked out); a lock stored by an older version is cleared.
        S.LockedUntil = null;

        // An over-long password cannot be right (creation refuses them) and must not cost a hash.
        var result = password is null || password.Length > SecurityRules.PasswordMaxLength
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(S, S.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return await FailedAsync();
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            S.PasswordHash = hasher.HashPassword(S, password!);
            LogRehashed(Name);
        }

        S.FailedLogins = 0;
        if (S.Disabled)
        {
            await state.SaveOrDeactivateAsync(this);
            return new LoginResult(LoginOutcome.Disabled, null, null);
        }

        S.LastLoginAt = now;
        await state.SaveOrDeactivateAsync(this);
        return new LoginResult(LoginOutcome.Succeeded, View(), null);
    }

    public async Task AddRefreshFamilyAsync(string familyId, DateTimeOffset expiresAt)
    {
        RequireExists();
        var now = time.GetUtcNow();
        foreach (var expired in S.RefreshFamilies.Where(f => f.Value <= now).Select(f => f.Key).ToList())
        {
            S.RefreshFamilies.Remove(expired);
        }

        S.RefreshFamilies[familyId] = expiresAt;
        var evicted = S.RefreshFamilies.Count > _options.MaxSessionsPerUser
            ? S.RefreshFamilies.OrderBy(f => f.Value).Take(S.RefreshFamilies.Count - _options.MaxSessionsPerUser).Select(f => f.Key).ToList()
            : [];
        foreach (var id in evicted)
        {
            S.RefreshFamilies.Remove(id);
        }

        await state.SaveOrDeactivateAsync(this);
        await RevokeFamiliesAsync(evicted);
    }

    public async Task<int> RevokeSessionsAsync()
    {
        RequireExists();
        return await EndSessionsAsync();
    }

    /// <summary>
    /// Revokes every refresh family and moves the security stamp on: the old stamp goes on the
    /// cluster's deny list, so access tokens carrying it stop working within one revocation poll.
    /// The new stamp is stored first, so a retry after a failure still denies the old one.
    /// </summary>
    private async Task<int> EndSessionsAsync()
    {
        var families = S.RefreshFamilies.Keys.ToList();
        var old = S.SecurityStamp;
        S.SecurityStamp++;
        S.RefreshFamilies.Clear();
        await state.SaveOrDeactivateAsync(this);
        await RevokeFamiliesAsync(families);
        await DenyStampAsync(old);
        LogSessionsEnded(Name, families.Count);
        return families.Count;
    }

    private Task DenyStampAsync(long stamp) =>
        GrainFactory.GetGrain<ITokenRevocationGrain>(0).RevokeAsync(
            new RevokedToken(SecurityRules.StampTokenId(Name, stamp), time.GetUtcNow() + SecurityRules.MaxAccessTokenLifetime));

    private async Task<LoginResult> FailedAsync()
    {
        S.FailedLogins++;
        await state.SaveOrDeactivateAsync(this);
        return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
    }

    // Families never call back into the user while revoking, so these calls cannot deadlock.
    private Task RevokeFamiliesAsync(IReadOnlyCollection<string> familyIds) =>
        Task.WhenAll(familyIds.Select(id => GrainFactory.GetGrain<IRefreshTokenFamilyGrain>(id).RevokeAsync()));

    [LoggerMessage(Level = LogLevel.Information, Message = "Sessions of user {UserName} ended ({Families} refresh families revoked, access tokens denied)")]
    private partial void LogSessionsEnded(string userName, int families);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password hash of user {UserName} upgraded to the current format")]
    private partial void LogRehashed(string userName);
}
