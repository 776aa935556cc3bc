using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Hosting;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Bench;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.RateLimiting;
using StackExchange.Redis;

// Rate-limit decisions/s and latency for 1,000 users at concurrency 64: the bucket grain
// (co-hosted, through the client gateway, and through the gateway with the API's leased
// allowance) versus a Redis Lua token bucket, in one run.
// Usage: RateLimit.Bench --redis 127.0.0.1:6379 [--seconds 10] [--warmup 3] [--concurrency 64] [--users 1000]
//        [--lease-units 32] [--baseline] [--smoke] (--smoke: 1 s per path, 1 s warm-up)
var smoke = args.Contains("--smoke");
var options = args.Where(a => a is not "--smoke" and not "--baseline").Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p.ElementAtOrDefault(1) ?? "");
if (args.Contains("--baseline"))
{
    options["baseline"] = "";
}

var redisAddress = options.GetValueOrDefault("redis") ?? throw new ArgumentException("--redis host:port is required");
var seconds = int.Parse(options.GetValueOrDefault("seconds", smoke ? "1" : "10"), System.Globalization.CultureInfo.InvariantCulture);
var warmSeconds = int.Parse(options.GetValueOrDefault("warmup", smoke ? "1" : "3"), System.Globalization.CultureInfo.InvariantCulture);
var leaseUnits = int.Parse(options.GetValueOrDefault("lease-units", ApiRateLimitOptions.ClientModeLeaseUnits.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"), System.Globalization.CultureInfo.InvariantCulture);
var users = int.Parse(options.GetValueOrDefault("users", "1000"), System.Globalization.CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(seconds);
int siloPort = FreePort(), gatewayPort = FreePort();

// Same limits on both sides: a tier large enough that most decisions are the "allowed" path.
const long PerMinute = 600_000;
var siloBuilder = Host.CreateApplicationBuilder();
siloBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
siloBuilder.Configuration["RateLimiting:DefaultTier"] = "bench";
siloBuilder.Configuration["RateLimiting:Tiers:bench:PerMinute"] = PerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
siloBuilder.Configuration["RateLimiting:Tiers:bench:PerHour"] = "100000000";
siloBuilder.Configuration["RateLimiting:Tiers:bench:PerDay"] = "100000000";
siloBuilder.Configuration["RateLimiting:Tiers:bench:AiTokensPerDay"] = "0";
siloBuilder.Configuration["RateLimiting:CheckpointEvery"] = options.GetValueOrDefault("checkpoint-every", "20");
siloBuilder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(siloPort, gatewayPort);
    foreach (var storage in StorageNames.All)
    {
        silo.AddMemoryGrainStorage(storage);
    }

    // AddAgentsSilo registers periodic jobs, which need a reminder service.
    silo.UseInMemoryReminderService();
    silo.AddAgentsSilo();
});
using var silo = siloBuilder.Build();
await silo.StartAsync();

var clientBuilder = Host.CreateApplicationBuilder();
clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
clientBuilder.UseOrleansClient(c => c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort)));
using var client = clientBuilder.Build();
await client.StartAsync();

var cohosted = silo.Services.GetRequiredService<IGrainFactory>();
var viaGateway = client.Services.GetRequiredService<IClusterClient>();
var request = new RateLimitRequest(1);

using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
var bucket = new RedisTokenBucket(redis.GetDatabase(), PerMinute, PerMinute / 60.0, $"rl-bench:{Guid.NewGuid():N}:");
await bucket.LoadAsync(redis.GetServer(redis.GetEndPoints()[0]));

async ValueTask<bool> Cohosted(string u) => (await cohosted.GetGrain<IRateLimitBucketGrain>(u).DecideAsync(request)).Allowed;
async ValueTask<bool> Gateway(string u) => (await viaGateway.GetGrain<IRateLimitBucketGrain>(u).DecideAsync(request)).Allowed;

// The API's own limiter as the production API (a client of the silos) runs it: a RateLimiter per
// user over an allowance leased from the bucket grain through the gateway.
var leases = new LeasedAllowances(viaGateway,
    Options.Create(new ApiRateLimitOptions { LeaseUnits = leaseUnits }), new ApiSettings { Mode = ClusterMode.Client },
    TimeProvider.System, NullLogger<LeasedAllowances>.Instance);
await leases.StartAsync(CancellationToken.None);
var limiters = new System.Collections.Concurrent.ConcurrentDictionary<string, GrainRateLimiter>();
async ValueTask<bool> Leased(string u)
{
    using var lease = await limiters.GetOrAdd(u, k => new GrainRateLimiter(viaGateway, k, new RateLimitCost(1), leases)).AcquireAsync(1);
    return lease.IsAcquired;
}

Console.WriteLine($"Rate-limit decisions: {users:N0} users, concurrency {concurrency}, {seconds} s per path, {Environment.ProcessorCount} cores");
// Warm up every path (activations, JIT, script cache) before measuring.
var warm = TimeSpan.FromSeconds(warmSeconds); // 3 s lets tiered JIT settle: shorter runs understate every path
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, Cohosted);
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, Gateway);
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, Leased);
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, bucket.DecideAsync);

if (options.ContainsKey("baseline"))
{
    // A trivial grain call (agent lookup that finds nothing) on the same machine: the floor.
    Console.WriteLine(await LoadRunner.RunAsync("trivial grain call (co-hosted)", concurrency, duration, users,
        async u => await cohosted.GetGrain<OrleansAgents.Agents.IAgentGrain>(u).GetAsync() is null));
}

var grainLocal = await LoadRunner.RunAsync("grain bucket (co-hosted)", concurrency, duration, users, Cohosted);
Console.WriteLine(grainLocal);
var grainGateway = await LoadRunner.RunAsync("grain bucket (client via gateway)", concurrency, duration, users, Gateway);
Console.WriteLine(grainGateway);
var leased = await LoadRunner.RunAsync($"leased limiter (gateway, {leaseUnits} units)", concurrency, duration, users, Leased);
Console.WriteLine(leased);
var redisLua = await LoadRunner.RunAsync("redis lua token bucket (EVALSHA)", concurrency, duration, users, bucket.DecideAsync);
Console.WriteLine(redisLua);

Console.WriteLine($"ratio co-hosted / redis: throughput {grainLocal.PerSecond / redisLua.PerSecond:F2}x, p99 {grainLocal.P99Ms / redisLua.P99Ms:F2}x");
Console.WriteLine($"ratio gateway   / redis: throughput {grainGateway.PerSecond / redisLua.PerSecond:F2}x, p99 {grainGateway.P99Ms / redisLua.P99Ms:F2}x");
Console.WriteLine($"ratio leased    / redis: throughput {leased.PerSecond / redisLua.PerSecond:F2}x, p99 {leased.P99Ms / redisLua.P99Ms:F2}x");

// Result check: the tier is far above the offered load, so every path must have admitted every call.
var failed = new[] { grainLocal, grainGateway, leased, redisLua }.Where(r => r.Calls == 0 || r.Allowed != r.Calls).ToList();
foreach (var r in failed)
{
    Console.Error.WriteLine($"FAILED: {r.Name} admitted {r.Allowed:N0} of {r.Calls:N0} calls");
}

await leases.StopAsync(CancellationToken.None);
await client.StopAsync();
await silo.StopAsync();
return failed.Count == 0 ? 0 : 1;

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
