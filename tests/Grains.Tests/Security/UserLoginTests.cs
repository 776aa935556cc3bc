using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrleansAgents.Errors;
using OrleansAgents.Grains.Security;
using static OrleansAgents.Tests.Security.SecurityTestHelpers;

namespace OrleansAgents.Tests.Security;

public sealed class UserLoginTests(SecurityClusterFixture fixture) : IClassFixture<SecurityClusterFixture>
{
    private IUserGrain User(string name) => fixture.Client.GetGrain<IUserGrain>(name);

    private async Task<string> CreateAsync(UserSpec? spec = null)
    {
        var name = NewUserName();
        await User(name).CreateAsync(spec ?? Spec());
        return name;
    }

    private Task<UserState> StoredAsync(string name) => fixture.StoredAsync<UserState>("user", User(name).GetGrainId());

    [Fact]
    public async Task Verify_RightPassword_Succeeds_AndRecordsTheLogin()
    {
        var name = await CreateAsync();
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        var result = await User(name).VerifyPasswordAsync(Password);

        Assert.Equal(LoginOutcome.Succeeded, result.Outcome);
        Assert.Equal(name, result.User!.Name);
        Assert.Equal(fixture.Clock.GetUtcNow(), result.User.LastLoginAt);
        Assert.Equal(fixture.Clock.GetUtcNow(), (await User(name).GetAsync())!.LastLoginAt);
    }

    [Theory]
    [InlineData("correct horse battery ")]
    [InlineData("Correct horse battery")]
    [InlineData("")]
    public async Task Verify_WrongPassword_IsInvalidCredentials(string wrong)
    {
        var name = await CreateAsync();

        var result = await User(name).VerifyPasswordAsync(wrong);

        Assert.Equal(LoginOutcome.InvalidCredentials, result.Outcome);
        Assert.Null(result.User);
        Assert.Equal(1, (await User(name).GetAsync())!.FailedLogins);
    }

    [Fact]
    public async Task Verify_UnknownUser_IsInvalidCredentials_AndCreatesNothing()
    {
        var name = NewUserName();

        var result = await User(name).VerifyPasswordAsync(Password);

        Assert.Equal(LoginOutcome.InvalidCredentials, result.Outcome);
        Assert.Null(await User(name).GetAsync());
        var stored = await StoredAsync(name);
        Assert.False(stored.Exists);
        Assert.Equal(0, stored.FailedLogins);
    }

    [Fact]
    public async Task Verify_DisabledUser_WithTheRightPassword_IsDisabled()
    {
        var name = await CreateAsync(Spec(disabled: true));

        Assert.Equal(LoginOutcome.Disabled, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync("wrong password here")).Outcome);
    }

    [Fact]
    public async Task StoredHash_IsNotThePassword_AndIsSaltedPerUser()
    {
        var first = await CreateAsync();
        var second = await CreateAsync();

        var a = (await StoredAsync(first)).PasswordHash;
        var b = (await StoredAsync(second)).PasswordHash;

        Assert.NotEmpty(a);
        Assert.DoesNotContain(Password, a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<UserState>().VerifyHashedPassword(new UserState(), a, Password));
    }

    [Fact]
    public async Task Verify_OldFormatHash_Succeeds_AndIsRehashed()
    {
        var name = NewUserName();
        var old = new PasswordHasher<UserState>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }));
        var oldHash = old.HashPassword(new UserState(), Password);
        var now = fixture.Clock.GetUtcNow();
        await fixture.StoreAsync("user", User(name).GetGrainId(), new UserState
        {
            Exists = true, Listed = true, PasswordHash = oldHash, Roles = [Roles.Viewer], CreatedAt = now, UpdatedAt = now, Version = 1,
        });

        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);

        var newHash = (await StoredAsync(name)).PasswordHash;
        Assert.NotEqual(oldHash, newHash);
        Assert.Equal(0x00, Convert.FromBase64String(oldHash)[0]);
        Assert.Equal(0x01, Convert.FromBase64String(newHash)[0]);
        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Equal(newHash, (await StoredAsync(name)).PasswordHash);
    }

    [Fact]
    public async Task Lockout_AfterMaxFailures_RefusesEvenTheRightPassword_UntilDurationPasses()
    {
        var name = await CreateAsync();
        for (var i = 1; i < SecurityClusterFixture.MaxFailures; i++)
        {
            Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync("wrong password " + i)).Outcome);
        }

        var locking = await User(name).VerifyPasswordAsync("wrong password again");
        var lockedUntil = fixture.Clock.GetUtcNow() + SecurityClusterFixture.LockoutDuration;
        Assert.Equal(LoginOutcome.LockedOut, locking.Outcome);
        Assert.Equal(lockedUntil, locking.LockedUntil);

        fixture.Clock.Advance(SecurityClusterFixture.LockoutDuration - TimeSpan.FromSeconds(1));
        var stillLocked = await User(name).VerifyPasswordAsync(Password);
        Assert.Equal(LoginOutcome.LockedOut, stillLocked.Outcome);
        Assert.Equal(lockedUntil, stillLocked.LockedUntil);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var after = await User(name).VerifyPasswordAsync(Password);
        Assert.Equal(LoginOutcome.Succeeded, after.Outcome);
        Assert.Equal(0, after.User!.FailedLogins);
        Assert.Null(after.User.LockedUntil);
    }

    [Fact]
    public async Task Success_ResetsTheFailureCount()
    {
        var name = await CreateAsync();
        for (var i = 1; i < SecurityClusterFixture.MaxFailures; i++)
        {
            await User(name).VerifyPasswordAsync("wrong password " + i);
        }

        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);

        // The count started again: one more failure does not lock.
        Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync("wrong password")).Outcome);
        Assert.Equal(1, (await User(name).GetAsync())!.FailedLogins);
    }

    [Fact]
    public async Task BootstrapAdmin_CreatesOnce_ThenIsIdempotent_AndRepairsRolesPasswordAndLock()
    {
        var name = NewUserName();

        var created = await User(name).EnsureBootstrapAdminAsync(Password);
        var again = await User(name).EnsureBootstrapAdminAsync(Password);

        Assert.Equal([Roles.Admin], created.Roles);
        Assert.Equivalent(created, again, strict: true);
        Assert.Equal(1, again.Version);

        await User(name).UpdateAsync(Spec(password: "a changed password", roles: [Roles.Viewer], disabled: true));
        var repaired = await User(name).EnsureBootstrapAdminAsync(Password);

        Assert.Contains(Roles.Admin, repaired.Roles);
        Assert.False(repaired.Disabled);
        Assert.Equal(3, repaired.Version);
        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Contains(name, await fixture.Client.GetGrain<IUserDirectoryGrain>(0).ListAsync(null, 10_000));
        await RefusedAsync(() => User(name).EnsureBootstrapAdminAsync("short"), ErrorCodes.UserWeakPassword);
    }
}
