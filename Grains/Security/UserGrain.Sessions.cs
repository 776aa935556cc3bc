using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>Password checks with lockout, and the user's refresh-token families.</summary>
public sealed partial class UserGrain
{
    // Unknown users are checked against this, so they cost as much time as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<UserState>().HashPassword(new UserState(), Guid.NewGuid().ToString()));

    public async Task<LoginResult> VerifyPasswordAsync(string password)
    {
        if (!S.Exists || !SecurityRules.IsValidUserName(Name))
        {
            // No state is written: probing names must not create users.
            hasher.VerifyHashedPassword(S, DecoyHash.Value, password ?? "");
            return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
        }

        var now = time.GetUtcNow();
        if (S.LockedUntil is { } until)
        {
            if (until > now)
            {
                return new LoginResult(LoginOutcome.LockedOut, null, until);
            }

            S.LockedUntil = null;
            S.FailedLogins = 0;
        }

        // An over-long password cannot be right (creation refuses them) and must not cost a hash.
        var result = password is null || password.Length > SecurityRules.PasswordMaxLength
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(S, S.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return await FailedAsync(now);
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
        var families = S.RefreshFamilies.Keys.ToList();
        await RevokeFamiliesAsync(families);
        S.RefreshFamilies.Clear();
        await state.SaveOrDeactivateAsync(this);
        return families.Count;
    }

    private async Task<LoginResult> FailedAsync(DateTimeOffset now)
    {
        S.FailedLogins++;
        if (S.FailedLogins >= _options.Lockout.MaxFailures)
        {
            S.LockedUntil = now + _options.Lockout.Duration;
            await state.SaveOrDeactivateAsync(this);
            LogLockedOut(Name, S.FailedLogins, S.LockedUntil.Value);
            return new LoginResult(LoginOutcome.LockedOut, null, S.LockedUntil);
        }

        await state.SaveOrDeactivateAsync(this);
        return new LoginResult(LoginOutcome.InvalidCredentials, null, null);
    }

    // Families never call back into the user while revoking, so these calls cannot deadlock.
    private Task RevokeFamiliesAsync(IReadOnlyCollection<string> familyIds) =>
        Task.WhenAll(familyIds.Select(id => GrainFactory.GetGrain<IRefreshTokenFamilyGrain>(id).RevokeAsync()));

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserName} locked out after {FailedLogins} failed logins until {LockedUntil:o}")]
    private partial void LogLockedOut(string userName, int failedLogins, DateTimeOffset lockedUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password hash of user {UserName} upgraded to the current format")]
    private partial void LogRehashed(string userName);
}
