using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansAgents.Bench;
using OrleansAgents.Grains.Hosting;
using OrleansAgents.RateLimiting;
using StackExchange.Redis;

// Rate-limit decisions/s and latency for 1,000 users at concurrency 64: the bucket grain
// (co-hosted and through the client gateway) versus a Redis Lua token bucket, in one run.
// Usage: RateLimit.Bench --redis 127.0.0.1:6379 [--seconds 10] [--concurrency 64] [--users 1000]
var options = args.Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p.ElementAtOrDefault(1) ?? "");
var redisAddress = options.GetValueOrDefault("redis") ?? throw new ArgumentException("--redis host:port is required");
var seconds = int.Parse(options.GetValueOrDefault("seconds", "10"), System.Globalization.CultureInfo.InvariantCulture);
var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"), System.Globalization.CultureInfo.InvariantCulture);
var users = int.Parse(options.GetValueOrDefault("users", "1000"), System.Globalization.CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(seconds);
const int SiloPort = 21111, GatewayPort = 31000;

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
    silo.UseLocalhostClustering(SiloPort, GatewayPort);
    foreach (var storage in StorageNames.All)
    {
        silo.AddMemoryGrainStorage(storage);
    }

    silo.AddAgentsSilo();
});
using var silo = siloBuilder.Build();
await silo.StartAsync();

var clientBuilder = Host.CreateApplicationBuilder();
clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
clientBuilder.UseOrleansClient(c => c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, GatewayPort)));
using var client = clientBuilder.Build();
await client.StartAsync();

var cohosted = silo.Services.GetRequiredService<IGrainFactory>();
var viaGateway = client.Services.GetRequiredService<IClusterClient>();
var request = new RateLimitRequest(1);

using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
var bucket = new RedisTokenBucket(redis.GetDatabase(), PerMinute, PerMinute / 60.0);
await bucket.LoadAsync(redis.GetServer(redis.GetEndPoints()[0]));

async ValueTask<bool> Cohosted(string u) => (await cohosted.GetGrain<IRateLimitBucketGrain>(u).DecideAsync(request)).Allowed;
async ValueTask<bool> Gateway(string u) => (await viaGateway.GetGrain<IRateLimitBucketGrain>(u).DecideAsync(request)).Allowed;

Console.WriteLine($"Rate-limit decisions: {users:N0} users, concurrency {concurrency}, {seconds} s per path, {Environment.ProcessorCount} cores");
// Warm up every path (activations, JIT, script cache) before measuring.
var warm = TimeSpan.FromSeconds(3); // long enough for tiered JIT to settle: shorter runs understate every path
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, Cohosted);
await LoadRunner.RunAsync("warm-up", concurrency, warm, users, Gateway);
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
var redisLua = await LoadRunner.RunAsync("redis lua token bucket (EVALSHA)", concurrency, duration, users, bucket.DecideAsync);
Console.WriteLine(redisLua);

Console.WriteLine($"ratio co-hosted / redis: throughput {grainLocal.PerSecond / redisLua.PerSecond:F2}x, p99 {grainLocal.P99Ms / redisLua.P99Ms:F2}x");
Console.WriteLine($"ratio gateway   / redis: throughput {grainGateway.PerSecond / redisLua.PerSecond:F2}x, p99 {grainGateway.P99Ms / redisLua.P99Ms:F2}x");

await client.StopAsync();
await silo.StopAsync();
