using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Security;
using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>
/// The API's copy of the deny list, against the embedded cluster's revocation grain (which other
/// tests also write to, so ids are unique and versions are compared, not counted).
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class RevocationCacheTests(ApiFactory factory)
{
    private IGrainFactory Grains => factory.Services.GetRequiredService<IGrainFactory>();

    private ITokenRevocationGrain List => Grains.GetGrain<ITokenRevocationGrain>(0);

    private static string NewJti() => "jti-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Cache_SeesARevocation_AfterRefresh_AndForgetsItWhenTheTokenExpires()
    {
        // The cache's own clock, started at real time so the grain keeps the entry (it prunes by its clock).
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var cache = new RevocationCache(Grains, Options.Create(new RevocationCacheOptions()), clock, NullLogger<RevocationCache>.Instance);
        var jti = NewJti();
        await cache.RefreshAsync();
        Assert.False(cache.IsRevoked(jti));

        await List.RevokeAsync(new RevokedToken(jti, clock.GetUtcNow() + TimeSpan.FromMinutes(5)));
        Assert.False(cache.IsRevoked(jti));
        var version = (await List.GetSinceAsync(0)).Version;
        await cache.RefreshAsync();

        Assert.True(cache.IsRevoked(jti));
        Assert.False(cache.IsRevoked(NewJti()));
        Assert.True(cache.Version >= version);

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(cache.IsRevoked(jti));
    }

    [Fact]
    public async Task Cache_PollLoop_PicksUpRevocationsWithoutARefreshCall()
    {
        var options = Options.Create(new RevocationCacheOptions { RevocationPollInterval = TimeSpan.FromMilliseconds(50) });
        using var cache = new RevocationCache(Grains, options, TimeProvider.System, NullLogger<RevocationCache>.Instance);
        await cache.StartAsync(CancellationToken.None);
        try
        {
            var jti = NewJti();
            await List.RevokeAsync(new RevokedToken(jti, DateTimeOffset.UtcNow.AddYears(1)));
            await Eventually.HoldsAsync(() => cache.IsRevoked(jti), "the poll loop sees the revocation");
        }
        finally
        {
            await cache.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void PollInterval_IsReadFromTheSecuritySection_AndMustBePositive()
    {
        static IOptions<RevocationCacheOptions> Read(string interval)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Security:RevocationPollInterval"] = interval })
                .Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddRevocationCache();
            return services.BuildServiceProvider().GetRequiredService<IOptions<RevocationCacheOptions>>();
        }

        Assert.Equal(TimeSpan.FromSeconds(3), Read("00:00:03").Value.RevocationPollInterval);
        var ex = Assert.Throws<OptionsValidationException>(() => Read("00:00:00").Value);
        Assert.Equal(["Security:RevocationPollInterval must be positive."], ex.Failures);
    }
}
