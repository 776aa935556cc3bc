using OrleansAgents.Errors;
using OrleansAgents.Grains.Security;
using static OrleansAgents.Tests.Security.SecurityTestHelpers;

namespace OrleansAgents.Tests.Security;

public sealed class RefreshTokenFamilyTests(SecurityClusterFixture fixture) : IClassFixture<SecurityClusterFixture>
{
    private IRefreshTokenFamilyGrain Family(string id) => fixture.Client.GetGrain<IRefreshTokenFamilyGrain>(id);

    private async Task<string> UserAsync()
    {
        var name = NewUserName();
        await fixture.Client.GetGrain<IUserGrain>(name).CreateAsync(Spec());
        return name;
    }

    private async Task<(string FamilyId, string Token)> StartAsync(string? userName = null)
    {
        var familyId = RefreshTokenRules.NewFamilyId();
        var started = await Family(familyId).StartAsync(userName ?? await UserAsync());
        return (familyId, started.NewRefreshToken!);
    }

    [Fact]
    public async Task Start_IssuesAParsableToken_ForTheUser_ExpiringAfterTheLifetime()
    {
        var user = await UserAsync();
        var familyId = RefreshTokenRules.NewFamilyId();

        var started = await Family(familyId).StartAsync(user);

        Assert.True(started.Accepted);
        Assert.Equal(user, started.UserName);
        Assert.Equal(fixture.Clock.GetUtcNow() + SecurityClusterFixture.RefreshLifetime, started.ExpiresAt);
        Assert.True(RefreshTokenRules.TryParse(started.NewRefreshToken, out var parsedId, out var secret));
        Assert.Equal(familyId, parsedId);
        Assert.Equal(43, secret.Length);
        var stored = await fixture.StoredAsync<RefreshTokenFamilyState>("family", Family(familyId).GetGrainId());
        Assert.Equal(32, stored.CurrentHash.Length);
        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(stored.CurrentHash), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ForAMissingUser_IsNotFound_AndTwiceIsAConflict()
    {
        await RefusedAsync(() => Family(RefreshTokenRules.NewFamilyId()).StartAsync(NewUserName()), ErrorCodes.UserNotFound);
        await RefusedAsync(() => Family("not-a-family-id").StartAsync(NewUserName()), ErrorCodes.TokenInvalidId);
        var (familyId, _) = await StartAsync();
        await RefusedAsync(() => Family(familyId).StartAsync(NewUserName()), ErrorCodes.AuthInvalidRefreshToken);
    }

    [Fact]
    public async Task Rotate_TheCurrentToken_IssuesTheNextOne_AndChainsOn()
    {
        var (familyId, first) = await StartAsync();

        var second = await Family(familyId).RotateAsync(first);
        var third = await Family(familyId).RotateAsync(second.NewRefreshToken!);

        Assert.True(second.Accepted);
        Assert.True(third.Accepted);
        Assert.NotEqual(first, second.NewRefreshToken);
        Assert.NotEqual(second.NewRefreshToken, third.NewRefreshToken);
        Assert.False(third.FamilyRevoked);
    }

    [Fact]
    public async Task Rotate_AnAlreadyRotatedToken_IsReuse_AndRevokesTheFamily_NewestTokenToo()
    {
        var (familyId, first) = await StartAsync();
        var second = await Family(familyId).RotateAsync(first);

        var replay = await Family(familyId).RotateAsync(first);

        Assert.False(replay.Accepted);
        Assert.True(replay.FamilyRevoked);
        Assert.Equal(RefreshProblems.Reuse, replay.Problem);
        var newest = await Family(familyId).RotateAsync(second.NewRefreshToken!);
        Assert.False(newest.Accepted);
        Assert.Equal(RefreshProblems.Revoked, newest.Problem);
    }

    [Fact]
    public async Task Rotate_RefusesMalformedForeignUnknownAndWrongSecrets()
    {
        var (familyId, token) = await StartAsync();
        var (_, other) = await StartAsync();
        var stranger = RefreshTokenRules.NewFamilyId();
        Assert.True(RefreshTokenRules.TryParse(token, out _, out var secret));

        Assert.Equal(RefreshProblems.Malformed, (await Family(familyId).RotateAsync("rt_nonsense")).Problem);
        Assert.Equal(RefreshProblems.Malformed, (await Family(familyId).RotateAsync(other)).Problem);
        Assert.Equal(RefreshProblems.Unknown, (await Family(stranger).RotateAsync($"rt_{stranger}.{secret}")).Problem);
        var wrong = $"rt_{familyId}.{new string('A', 42)}A";
        var guessed = await Family(familyId).RotateAsync(wrong);
        Assert.Equal(RefreshProblems.Invalid, guessed.Problem);
        Assert.False(guessed.FamilyRevoked);

        // A wrong guess does not burn the family.
        Assert.True((await Family(familyId).RotateAsync(token)).Accepted);
    }

    [Fact]
    public async Task Rotate_AfterTheFamilyExpires_IsExpired()
    {
        var (familyId, token) = await StartAsync();
        fixture.Clock.Advance(SecurityClusterFixture.RefreshLifetime - TimeSpan.FromSeconds(1));
        var rotated = await Family(familyId).RotateAsync(token);
        Assert.True(rotated.Accepted);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var late = await Family(familyId).RotateAsync(rotated.NewRefreshToken!);
        Assert.False(late.Accepted);
        Assert.Equal(RefreshProblems.Expired, late.Problem);
    }

    [Fact]
    public async Task DeletingTheUser_RevokesItsFamilies_AndRevokeSessionsToo()
    {
        var user = await UserAsync();
        var (a, tokenA) = await StartAsync(user);
        var (b, tokenB) = await StartAsync(user);

        Assert.Equal(2, await fixture.Client.GetGrain<IUserGrain>(user).RevokeSessionsAsync());
        Assert.Equal(RefreshProblems.Revoked, (await Family(a).RotateAsync(tokenA)).Problem);
        Assert.Equal(RefreshProblems.Revoked, (await Family(b).RotateAsync(tokenB)).Problem);

        var (c, tokenC) = await StartAsync(user);
        await fixture.Client.GetGrain<IUserGrain>(user).DeleteAsync();
        Assert.Equal(RefreshProblems.Revoked, (await Family(c).RotateAsync(tokenC)).Problem);
    }

    [Fact]
    public async Task TooManySessions_RevokeTheOldest()
    {
        var user = await UserAsync();
        var families = new List<(string Id, string Token)>();
        for (var i = 0; i <= SecurityClusterFixture.MaxSessionsPerUser; i++)
        {
            families.Add(await StartAsync(user));
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(RefreshProblems.Revoked, (await Family(families[0].Id).RotateAsync(families[0].Token)).Problem);
        foreach (var (id, token) in families.Skip(1))
        {
            Assert.True((await Family(id).RotateAsync(token)).Accepted);
        }
    }

    [Fact]
    public void TryParse_AcceptsOnlyOurShape()
    {
        var id = RefreshTokenRules.NewFamilyId();
        var secret = new string('A', 42) + "Q";

        Assert.True(RefreshTokenRules.TryParse($"rt_{id}.{secret}", out var parsedId, out var parsedSecret));
        Assert.Equal((id, secret), (parsedId, parsedSecret));
        Assert.False(RefreshTokenRules.TryParse($"rx_{id}.{secret}", out _, out _));
        Assert.False(RefreshTokenRules.TryParse($"rt_{id}:{secret}", out _, out _));
        Assert.False(RefreshTokenRules.TryParse($"rt_{id}.{secret}x", out _, out _));
        Assert.False(RefreshTokenRules.TryParse($"rt_{id}.{secret[..42]}!", out _, out _));
        Assert.False(RefreshTokenRules.TryParse(null, out _, out _));
    }
}
