using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

/// <summary>
/// One user (key: user name): profile, roles, password hash, failed-login counter and the
/// refresh-token families to revoke when the user goes. Passwords are hashed by ASP.NET Core
/// Identity's <see cref="IPasswordHasher{TUser}"/>; neither they nor their hashes are logged.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Security)] IPersistentState<UserState> state,
    IPasswordHasher<UserState> hasher,
    IOptions<SecurityOptions> options,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private readonly SecurityOptions _options = options.Value;

    private UserState S => state.State;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A previous activation stored the user but died before the directory heard of it.
        if (S.Exists && !S.Listed)
        {
            await ListAsync();
        }
    }

    public async Task<UserView> CreateAsync(UserSpec spec)
    {
        UserValidation.RequireValidName(Name);
        if (S.Exists)
        {
            throw new DomainException(ErrorCodes.UserExists, $"User '{Name}' already exists.", DomainErrorKind.Conflict);
        }

        var roles = UserValidation.Roles(spec.Roles, ErrorCodes.UserInvalidRole);
        var tier = UserValidation.Tier(spec.Tier);
        var displayName = UserValidation.DisplayName(spec.DisplayName, ErrorCodes.UserInvalidDisplayName);
        UserValidation.RequireAcceptablePassword(Name, spec.Password);

        var now = time.GetUtcNow();
        state.State = new UserState
        {
            Exists = true,
            Roles = roles,
            Tier = tier,
            DisplayName = displayName,
            Disabled = spec.Disabled,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,

            // Not 0: a user deleted and created again under the same name must not inherit the deny-list entry of the old one.
            SecurityStamp = now.UtcTicks,
        };
        S.PasswordHash = hasher.HashPassword(S, spec.Password!);
        await state.SaveOrDeactivateAsync(this);
        await ListAsync();
        LogCreated(Name, roles);
        return View();
    }

    public ValueTask<UserView?> GetAsync() => ValueTask.FromResult(S.Exists ? View() : null);

    public async Task<UserView> UpdateAsync(UserSpec spec)
    {
        RequireExists();
        var roles = UserValidation.Roles(spec.Roles, ErrorCodes.UserInvalidRole);
        var tier = UserValidation.Tier(spec.Tier);
        var displayName = UserValidation.DisplayName(spec.DisplayName, ErrorCodes.UserInvalidDisplayName);

        // Sessions must not outlive what they were granted on: a new password, a disable or a lost
        // role ends every refresh family and every access token issued before (issue 17).
        var endSessions = spec.Password is not null || (spec.Disabled && !S.Disabled) || S.Roles.Except(roles, StringComparer.Ordinal).Any();
        if (spec.Password is not null)
        {
            UserValidation.RequireAcceptablePassword(Name, spec.Password);
            S.PasswordHash = hasher.HashPassword(S, spec.Password);

            // An admin setting a new password is how a locked-out user gets back in early.
            S.FailedLogins = 0;
            S.LockedUntil = null;
        }

        S.Roles = roles;
        S.Tier = tier;
        S.DisplayName = displayName;
        S.Disabled = spec.Disabled;
        S.UpdatedAt = time.GetUtcNow();
        S.Version++;
        await state.SaveOrDeactivateAsync(this);
        if (endSessions)
        {
            await EndSessionsAsync();
        }

        return View();
    }

    public async Task<bool> DeleteAsync()
    {
        if (!S.Exists)
        {
            return false;
        }

        // Sessions first: if anything below fails, the user is still there and a retry finishes the job.
        await RevokeFamiliesAsync(S.RefreshFamilies.Keys.ToList());
        await DenyStampAsync(S.SecurityStamp);
        try
        {
            await state.ClearStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        state.State = new UserState();
        await GrainFactory.GetGrain<IUserDirectoryGrain>(0).RemoveAsync(Name);
        LogDeleted(Name);
        return true;
    }

    public async Task<UserView> EnsureBootstrapAdminAsync(string password, bool repair)
    {
        UserValidation.RequireValidName(Name);
        UserValidation.RequireAcceptablePassword(Name, password);
        if (!S.Exists)
        {
            var created = await CreateAsync(new UserSpec(password, [Roles.Admin], null, false, null));
            LogBootstrapped(Name, "created");
            return created;
        }

        // Re-arming an existing admin at every start would undo an operator's disable or password
        // change behind their back: only when a setting asks for it (issue 17).
        if (!repair)
        {
            return View();
        }

        var changed = false;
        if (!S.Roles.Contains(Roles.Admin, StringComparer.Ordinal))
        {
            S.Roles.Add(Roles.Admin);
            changed = true;
        }

        if (hasher.VerifyHashedPassword(S, S.PasswordHash, password) != PasswordVerificationResult.Success)
        {
            S.PasswordHash = hasher.HashPassword(S, password);
            changed = true;
        }

        // The bootstrap admin is the way back in: it must be usable right after start.
        if (S.Disabled || S.LockedUntil is not null || S.FailedLogins != 0)
        {
            S.Disabled = false;
            S.LockedUntil = null;
            S.FailedLogins = 0;
            changed = true;
        }

        if (changed)
        {
            S.UpdatedAt = time.GetUtcNow();
            S.Version++;
            await state.SaveOrDeactivateAsync(this);
            LogRepaired(Name);
        }

        return View();
    }

    private async Task ListAsync()
    {
        await GrainFactory.GetGrain<IUserDirectoryGrain>(0).AddAsync(Name);
        S.Listed = true;
        await state.SaveOrDeactivateAsync(this);
    }

    private void RequireExists()
    {
        UserValidation.RequireValidName(Name);
        if (!S.Exists)
        {
            throw new DomainException(ErrorCodes.UserNotFound, $"User '{Name}' does not exist.", DomainErrorKind.NotFound);
        }
    }

    private UserView View() => new(
        Name, S.DisplayName, S.Roles.ToArray(), S.Tier, S.Disabled, S.FailedLogins, S.LockedUntil,
        S.CreatedAt, S.UpdatedAt, S.LastLoginAt, S.Version) { SecurityStamp = S.SecurityStamp };

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserName} created with roles {Roles}")]
    private partial void LogCreated(string userName, IReadOnlyList<string> roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserName} deleted")]
    private partial void LogDeleted(string userName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap admin {UserName} repaired as Security:BootstrapAdminRepair asks: admin role, configured password, enabled")]
    private partial void LogRepaired(string userName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin {UserName} {Outcome}")]
    private partial void LogBootstrapped(string userName, string outcome);
}
