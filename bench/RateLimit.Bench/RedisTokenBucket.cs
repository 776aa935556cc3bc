using StackExchange.Redis;

namespace OrleansAgents.Bench;

/// <summary>
/// The classic design we compare against: a token bucket kept in a Redis hash and updated
/// atomically by a Lua script (EVALSHA), one round-trip per decision.
/// Keys carry a per-run prefix, so a shared Redis (bench/smoke.sh reuses the test run's) sees no collisions.
/// </summary>
internal sealed class RedisTokenBucket(IDatabase db, long capacity, double perSecond, string prefix)
{
    private const string Script = """
        local b = redis.call('HMGET', KEYS[1], 't', 'ts')
        local cap = tonumber(ARGV[1]); local rate = tonumber(ARGV[2]); local now = tonumber(ARGV[3]); local cost = tonumber(ARGV[4])
        local tokens = tonumber(b[1]) or cap
        local ts = tonumber(b[2]) or now
        if now > ts then tokens = math.min(cap, tokens + (now - ts) / 1000 * rate); ts = now end
        local allowed = 0
        if tokens >= cost then tokens = tokens - cost; allowed = 1 end
        redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
        redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate * 1000) + 1000)
        return allowed
        """;

    private LoadedLuaScript? _loaded;

    public async Task LoadAsync(IServer server) => _loaded = await LuaScript.Prepare(Script).LoadAsync(server);

    public async ValueTask<bool> DecideAsync(string user)
    {
        var result = await db.ScriptEvaluateAsync(_loaded!.Hash, [(RedisKey)(prefix + user)],
            [capacity, perSecond, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1]);
        return (long)result == 1;
    }
}
