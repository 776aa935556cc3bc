using OrleansAgents.Errors;
using OrleansAgents.Grains.Security;
using static OrleansAgents.Tests.Security.SecurityTestHelpers;

namespace OrleansAgents.Tests.Security;

/// <summary>The deny list is one grain per cluster, so these tests get their own cluster and run in order.</summary>
public sealed class RevocationTests : IAsyncLifetime
{
    private readonly SecurityClusterFixture _fixture = new();

    private ITokenRevocationGrain List => _fixture.Client.GetGrain<ITokenRevocationGrain>(0);

    private DateTimeOffset In(TimeSpan span) => _fixture.Clock.GetUtcNow() + span;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Revoke_BumpsTheVersion_AndGetSinceReturnsOnlyNewerEntries()
    {
        var empty = await List.GetSinceAsync(0);
        Assert.Empty(empty.Entries);
        Assert.Equal(0, empty.Version);

        await List.RevokeAsync(new RevokedToken("a", In(TimeSpan.FromMinutes(5))));
        var afterA = await List.GetSinceAsync(0);
        await List.RevokeAsync(new RevokedToken("b", In(TimeSpan.FromMinutes(5))));
        await List.RevokeAsync(new RevokedToken("a", In(TimeSpan.FromMinutes(1)))); // earlier expiry: nothing to add

        Assert.Equal(["a"], afterA.Entries.Select(e => e.Jti));
        Assert.Equal(1, afterA.Version);
        var sinceA = await List.GetSinceAsync(afterA.Version);
        Assert.Equal(["b"], sinceA.Entries.Select(e => e.Jti));
        Assert.Equal(2, sinceA.Version);
        Assert.Empty((await List.GetSinceAsync(sinceA.Version)).Entries);
    }

    [Fact]
    public async Task ExpiredEntries_AreHidden_ThenPrunedOnWrite_AndALaggingReaderGetsEveryLiveEntry()
    {
        await List.RevokeAsync(new RevokedToken("short", In(TimeSpan.FromMinutes(1))));
        await List.RevokeAsync(new RevokedToken("long", In(TimeSpan.FromHours(1))));
        await List.RevokeAsync(new RevokedToken("already-expired", In(TimeSpan.FromSeconds(-1))));
        _fixture.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(["long"], (await List.GetSinceAsync(0)).Entries.Select(e => e.Jti));
        await List.RevokeAsync(new RevokedToken("new", In(TimeSpan.FromHours(1))));

        var stored = await _fixture.StoredAsync<TokenRevocationState>("revocations", List.GetGrainId());
        Assert.Equal(["long", "new"], stored.Entries.Select(e => e.Jti));
        Assert.Equal(1, stored.PrunedThrough);
        Assert.Equal(3, stored.Version);

        // Version 0 is behind the pruned entry: the reader gets everything live.
        Assert.Equal(["long", "new"], (await List.GetSinceAsync(0)).Entries.Select(e => e.Jti));
        Assert.Equal(["new"], (await List.GetSinceAsync(2)).Entries.Select(e => e.Jti));

        // A reader ahead of the list (the list was reset) also gets everything live.
        Assert.Equal(["long", "new"], (await List.GetSinceAsync(99)).Entries.Select(e => e.Jti));
    }

    [Fact]
    public async Task Revoke_RefusesEmptyOrHugeIds()
    {
        await RefusedAsync(() => List.RevokeAsync(new RevokedToken("", In(TimeSpan.FromMinutes(1)))), ErrorCodes.TokenInvalidId);
        await RefusedAsync(() => List.RevokeAsync(new RevokedToken(new string('j', 129), In(TimeSpan.FromMinutes(1)))), ErrorCodes.TokenInvalidId);
    }
}
