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
    public async Task FailedLogins_LockNothing_TheRightPasswordStillWorks()
    {
        var name = await CreateAsync();
        for (var i = 0; i < SecurityClusterFixture.MaxFailures * 2; i++)
        {
            Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync("wrong password " + i)).Outcome);
        }

        // A stranger's guesses cannot keep the user out (issue 17); the throttle per address slows the stranger instead.
        var after = await User(name).VerifyPasswordAsync(Password);
        Assert.Equal(LoginOutcome.Succeeded, after.Outcome);
        Assert.Null(after.User!.LockedUntil);
    }

    [Fact]
    public async Task LoginThrottle_DelaysDoubleAfterMaxFailures_UpToTheDuration_AndSuccessForgets()
    {
        var throttle = fixture.Client.GetGrain<ILoginThrottleGrain>(NewUserName() + "/10.1.2.3");
        for (var i = 1; i < SecurityClusterFixture.MaxFailures; i++)
        {
            Assert.Equal(TimeSpan.Zero, await throttle.FailedAsync());
        }

        Assert.Equal(TimeSpan.FromSeconds(1), await throttle.FailedAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), await throttle.FailedAsync());
        Assert.Equal(TimeSpan.FromSeconds(4), await throttle.FailedAsync());
        for (var i = 0; i < 20; i++)
        {
            await throttle.FailedAsync();
        }

        Assert.Equal(SecurityClusterFixture.LockoutDuration, await throttle.WaitAsync());
        fixture.Clock.Advance(SecurityClusterFixture.LockoutDuration);
        Assert.Equal(TimeSpan.Zero, await throttle.WaitAsync());

        await throttle.SucceededAsync();
        Assert.Equal(TimeSpan.Zero, await throttle.FailedAsync());
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

        var created = await User(name).EnsureBootstrapAdminAsync(Password, repair: false);
        var again = await User(name).EnsureBootstrapAdminAsync(Password, repair: true);

        Assert.Equal([Roles.Admin], created.Roles);
        Assert.Equivalent(created, again, strict: true);
        Assert.Equal(1, again.Version);

        await User(name).UpdateAsync(Spec(password: "a changed password", roles: [Roles.Viewer], disabled: true));

        // Without being asked, an existing user is left as the operator left it (issue 17).
        var untouched = await User(name).EnsureBootstrapAdminAsync(Password, repair: false);
        Assert.True(untouched.Disabled);
        Assert.DoesNotContain(Roles.Admin, untouched.Roles);
        Assert.Equal(2, untouched.Version);

        var repaired = await User(name).EnsureBootstrapAdminAsync(Password, repair: true);

        Assert.Contains(Roles.Admin, repaired.Roles);
        Assert.False(repaired.Disabled);
        Assert.Equal(3, repaired.Version);
        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Contains(name, await fixture.Client.GetGrain<IUserDirectoryGrain>(0).ListAsync(null, 10_000));
        await RefusedAsync(() => User(name).EnsureBootstrapAdminAsync("short", repair: true), ErrorCodes.UserWeakPassword);
    }
}
