using OrleansAgents.Errors;
using OrleansAgents.Grains.Security;
using static OrleansAgents.Tests.Security.SecurityTestHelpers;

namespace OrleansAgents.Tests.Security;

public sealed class ApiKeyGrainTests(SecurityClusterFixture fixture) : IClassFixture<SecurityClusterFixture>
{
    private IApiKeyGrain Key(string id) => fixture.Client.GetGrain<IApiKeyGrain>(id);

    private static ApiKeySpec Spec(string name = "ci", string[]? roles = null, DateTimeOffset? expiresAt = null) =>
        new(name, roles ?? [Roles.Operator], "admin", expiresAt);

    private async Task<(string Id, string Secret, ApiKeyCreated Created)> CreateAsync(ApiKeySpec? spec = null)
    {
        var id = ApiKeyRules.NewId();
        var created = await Key(id).CreateAsync(spec ?? Spec());
        Assert.True(ApiKeyRules.TryParse(created.Key, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        return (id, secret, created);
    }

    [Fact]
    public async Task Create_ShowsTheKeyOnce_StoresOnlyAHash_AndListsTheId()
    {
        var (id, secret, created) = await CreateAsync(Spec(roles: [Roles.Viewer, Roles.Viewer]));

        Assert.StartsWith($"oak_{id}_", created.Key, StringComparison.Ordinal);
        Assert.Equal([Roles.Viewer], created.View.Roles);
        Assert.Equal("admin", created.View.CreatedBy);
        Assert.Equal(fixture.Clock.GetUtcNow(), created.View.CreatedAt);
        var stored = await fixture.StoredAsync<ApiKeyState>("apikey", Key(id).GetGrainId());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), stored.SecretHash);
        Assert.Contains(id, await fixture.Client.GetGrain<IApiKeyDirectoryGrain>(0).ListAsync(null, 10_000));
        Assert.Equivalent(created.View, await Key(id).GetAsync(), strict: true);
    }

    [Fact]
    public async Task Create_Validates()
    {
        await RefusedAsync(() => Key("NOT-BASE32-ID!!!").CreateAsync(Spec()), ErrorCodes.ApiKeyInvalidId);
        await RefusedAsync(() => Key(ApiKeyRules.NewId()).CreateAsync(Spec(name: "  ")), ErrorCodes.ApiKeyInvalidName);
        await RefusedAsync(() => Key(ApiKeyRules.NewId()).CreateAsync(Spec(roles: [])), ErrorCodes.ApiKeyInvalidRole);
        await RefusedAsync(() => Key(ApiKeyRules.NewId()).CreateAsync(Spec(roles: ["superuser"])), ErrorCodes.ApiKeyInvalidRole);
        await RefusedAsync(() => Key(ApiKeyRules.NewId()).CreateAsync(Spec(expiresAt: fixture.Clock.GetUtcNow())), ErrorCodes.ApiKeyInvalidExpiry);
        var (id, _, _) = await CreateAsync();
        await RefusedAsync(() => Key(id).CreateAsync(Spec()), ErrorCodes.ApiKeyExists);
    }

    [Fact]
    public async Task Verify_RightSecret_ReturnsTheView_WrongSecretReturnsNull()
    {
        var (id, secret, _) = await CreateAsync();
        var (_, otherSecret, _) = await CreateAsync();

        Assert.Equal(id, (await Key(id).VerifyAsync(secret))?.Id);
        Assert.Null(await Key(id).VerifyAsync(otherSecret));
        Assert.Null(await Key(id).VerifyAsync(secret[..^1]));
        Assert.Null(await Key(ApiKeyRules.NewId()).VerifyAsync(secret));
    }

    [Fact]
    public async Task Verify_RecordsLastUse_WritingAtMostOncePerInterval()
    {
        var (id, secret, _) = await CreateAsync();
        var first = fixture.Clock.GetUtcNow();
        await Key(id).VerifyAsync(secret);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));

        var second = await Key(id).VerifyAsync(secret);

        Assert.Equal(first + TimeSpan.FromSeconds(30), second!.LastUsedAt);
        Assert.Equal(first, (await fixture.StoredAsync<ApiKeyState>("apikey", Key(id).GetGrainId())).LastUsedAt);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        await Key(id).VerifyAsync(secret);
        Assert.Equal(first + TimeSpan.FromMinutes(1), (await fixture.StoredAsync<ApiKeyState>("apikey", Key(id).GetGrainId())).LastUsedAt);
    }

    [Fact]
    public async Task Revoked_KeysAreRefused_AndRevokeIsIdempotent()
    {
        var (id, secret, _) = await CreateAsync();

        var revoked = await Key(id).RevokeAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var again = await Key(id).RevokeAsync();

        Assert.Equal(fixture.Clock.GetUtcNow() - TimeSpan.FromSeconds(1), revoked.RevokedAt);
        Assert.Equal(revoked.RevokedAt, again.RevokedAt);
        Assert.Null(await Key(id).VerifyAsync(secret));
        await RefusedAsync(() => Key(ApiKeyRules.NewId()).RevokeAsync(), ErrorCodes.ApiKeyNotFound);
    }

    [Fact]
    public async Task Expired_KeysAreRefused()
    {
        var (id, secret, _) = await CreateAsync(Spec(expiresAt: fixture.Clock.GetUtcNow() + TimeSpan.FromHours(1)));
        Assert.NotNull(await Key(id).VerifyAsync(secret));

        fixture.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Null(await Key(id).VerifyAsync(secret));
    }

    [Fact]
    public async Task Directory_ListsIdsInOrder_PagedByAfter()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync();
        }

        var directory = fixture.Client.GetGrain<IApiKeyDirectoryGrain>(0);
        var all = await directory.ListAsync(null, 10_000);
        Assert.True(all.Count >= 3);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(all.Skip(1).Take(2), await directory.ListAsync(all[0], 2));
    }

    [Fact]
    public void TryParse_AcceptsOnlyOurShape()
    {
        var id = ApiKeyRules.NewId();
        var secret = "A_" + new string('A', 40) + "Q";

        Assert.Matches("^[a-z2-7]{16}$", id);
        Assert.True(ApiKeyRules.TryParse($"oak_{id}_{secret}", out var parsedId, out var parsedSecret));
        Assert.Equal((id, secret), (parsedId, parsedSecret));
        Assert.False(ApiKeyRules.TryParse($"oak_{id.ToUpperInvariant()}_{secret}", out _, out _));
        Assert.False(ApiKeyRules.TryParse($"oak_{id}-{secret}", out _, out _));
        Assert.False(ApiKeyRules.TryParse($"oak_{id}_{secret}=", out _, out _));
        Assert.False(ApiKeyRules.TryParse($"oak_{id[..15]}1_{secret}", out _, out _));
        Assert.False(ApiKeyRules.TryParse(null, out _, out _));
    }
}
