using OrleansAgents.Errors;
using OrleansAgents.Grains.Security;
using static OrleansAgents.Tests.Security.SecurityTestHelpers;

namespace OrleansAgents.Tests.Security;

public sealed class UserGrainTests(SecurityClusterFixture fixture) : IClassFixture<SecurityClusterFixture>
{
    private IUserGrain User(string name) => fixture.Client.GetGrain<IUserGrain>(name);

    private async Task<string> CreateAsync(UserSpec? spec = null)
    {
        var name = NewUserName();
        await User(name).CreateAsync(spec ?? Spec());
        return name;
    }

    [Fact]
    public async Task Create_ThenGet_ShowsTheProfileButNoPassword()
    {
        var name = NewUserName();

        var created = await User(name).CreateAsync(Spec(roles: [Roles.Analyst, Roles.Viewer, Roles.Analyst], tier: "pro-2", displayName: "  Ada  "));

        Assert.Equal(name, created.Name);
        Assert.Equal([Roles.Analyst, Roles.Viewer], created.Roles);
        Assert.Equal("pro-2", created.Tier);
        Assert.Equal("Ada", created.DisplayName);
        Assert.Equal(1, created.Version);
        Assert.Equal(fixture.Clock.GetUtcNow(), created.CreatedAt);
        Assert.Null(created.LastLoginAt);
        Assert.Equivalent(created, await User(name).GetAsync(), strict: true);
    }

    [Fact]
    public async Task Create_Twice_IsAConflict()
    {
        var name = await CreateAsync();

        var ex = await RefusedAsync(() => User(name).CreateAsync(Spec()), ErrorCodes.UserExists);

        Assert.Equal(DomainErrorKind.Conflict, ex.Kind);
    }

    [Theory]
    [InlineData("A-upper")]
    [InlineData("x")]
    [InlineData("-leading")]
    [InlineData("has space")]
    public async Task Create_WithAnInvalidName_IsRefused(string name) =>
        await RefusedAsync(() => User(name).CreateAsync(Spec()), ErrorCodes.UserInvalidName);

    [Fact]
    public async Task Create_RefusesWeakPasswords_RolesAndTiers()
    {
        var name = NewUserName();
        await RefusedAsync(() => User(name).CreateAsync(Spec(password: null)), ErrorCodes.UserWeakPassword);
        await RefusedAsync(() => User(name).CreateAsync(Spec(password: new string('a', SecurityRules.PasswordMinLength - 1))), ErrorCodes.UserWeakPassword);
        await RefusedAsync(() => User(name).CreateAsync(Spec(password: new string('a', SecurityRules.PasswordMaxLength + 1))), ErrorCodes.UserWeakPassword);
        await RefusedAsync(() => User(name).CreateAsync(Spec(password: name.ToUpperInvariant())), ErrorCodes.UserWeakPassword);
        await RefusedAsync(() => User(name).CreateAsync(Spec(roles: [])), ErrorCodes.UserInvalidRole);
        await RefusedAsync(() => User(name).CreateAsync(Spec(roles: [Roles.Viewer, "root"])), ErrorCodes.UserInvalidRole);
        await RefusedAsync(() => User(name).CreateAsync(Spec(tier: "Gold")), ErrorCodes.UserInvalidTier);
        await RefusedAsync(() => User(name).CreateAsync(Spec(tier: new string('a', 33))), ErrorCodes.UserInvalidTier);

        // Nothing was created by the refused attempts.
        Assert.Null(await User(name).GetAsync());
        await User(name).CreateAsync(Spec(password: new string('a', SecurityRules.PasswordMinLength), tier: new string('a', 32)));
    }

    [Fact]
    public async Task Update_ReplacesTheProfile_AndANewPasswordReplacesTheOldOne()
    {
        var name = await CreateAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(3));

        var updated = await User(name).UpdateAsync(Spec(password: "another long password", roles: [Roles.Operator], tier: "free", disabled: false, displayName: "Op"));

        Assert.Equal([Roles.Operator], updated.Roles);
        Assert.Equal("free", updated.Tier);
        Assert.Equal(2, updated.Version);
        Assert.Equal(updated.CreatedAt + TimeSpan.FromSeconds(3), updated.UpdatedAt);
        Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync("another long password")).Outcome);
    }

    [Fact]
    public async Task Update_WithoutPassword_KeepsIt_AndValidates()
    {
        var name = await CreateAsync();

        await User(name).UpdateAsync(Spec(password: null, roles: [Roles.Guest]));
        await RefusedAsync(() => User(name).UpdateAsync(Spec(password: "short")), ErrorCodes.UserWeakPassword);
        await RefusedAsync(() => User(name).UpdateAsync(Spec(roles: ["nobody"])), ErrorCodes.UserInvalidRole);
        await RefusedAsync(() => User(name).UpdateAsync(Spec(tier: "a b")), ErrorCodes.UserInvalidTier);

        Assert.Equal(LoginOutcome.Succeeded, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.Equal([Roles.Guest], (await User(name).GetAsync())!.Roles);
    }

    [Fact]
    public async Task MissingUser_GetIsNull_UpdateIsNotFound_DeleteIsFalse()
    {
        var name = NewUserName();

        Assert.Null(await User(name).GetAsync());
        var ex = await RefusedAsync(() => User(name).UpdateAsync(Spec()), ErrorCodes.UserNotFound);
        Assert.Equal(DomainErrorKind.NotFound, ex.Kind);
        Assert.False(await User(name).DeleteAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheUserAndItsListing_AndTheNameCanBeReused()
    {
        var name = await CreateAsync();
        Assert.Contains(name, await fixture.Client.GetGrain<IUserDirectoryGrain>(0).ListAsync(null, 10_000));

        Assert.True(await User(name).DeleteAsync());

        Assert.Null(await User(name).GetAsync());
        Assert.DoesNotContain(name, await fixture.Client.GetGrain<IUserDirectoryGrain>(0).ListAsync(null, 10_000));
        Assert.Equal(LoginOutcome.InvalidCredentials, (await User(name).VerifyPasswordAsync(Password)).Outcome);
        Assert.False((await fixture.StoredAsync<UserState>("user", User(name).GetGrainId())).Exists);
        var again = await User(name).CreateAsync(Spec(roles: [Roles.Viewer]));
        Assert.Equal(1, again.Version);
    }

    [Fact]
    public async Task Directory_ListsNamesInOrdinalOrder_PagedByAfter()
    {
        var prefix = $"dir-{Guid.NewGuid():N}"[..12];
        string[] names = [$"{prefix}-c", $"{prefix}-a", $"{prefix}-b"];
        foreach (var name in names)
        {
            await User(name).CreateAsync(Spec());
        }

        var directory = fixture.Client.GetGrain<IUserDirectoryGrain>(0);
        var all = await directory.ListAsync(null, 10_000);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal([$"{prefix}-a", $"{prefix}-b"], await directory.ListAsync(prefix, 2));
        Assert.Equal([$"{prefix}-c"], (await directory.ListAsync($"{prefix}-b", 10_000)).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
    }
}
