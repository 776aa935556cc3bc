using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansAgents.Silo.Hosting;

namespace OrleansAgents.Tests;

/// <summary>
/// The watch looks at this silo's membership row every grace / 2 on the clock; the test moves the
/// clock tick by tick and scripts what each look reads.
/// </summary>
public sealed class MembershipEntryWatchTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly SiloAddress Self = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);

    private readonly ManualTimeProvider _clock = new() { ManualTimers = true };
    private readonly ScriptedTable _table = new();
    private readonly Lifetime _lifetime = new();
    private readonly MembershipEntryWatch _watch;

    public MembershipEntryWatchTests()
    {
        var services = new ServiceCollection().AddSingleton<IMembershipTable>(_table).BuildServiceProvider();
        _watch = new MembershipEntryWatch(services, new ActiveMembership(), new LocalSilo(), new SiloSettings { MembershipLossGrace = Grace },
            _lifetime, _clock, NullLogger<MembershipEntryWatch>.Instance);
    }

    public async Task InitializeAsync()
    {
        await _watch.StartAsync(CancellationToken.None);
        // ExecuteAsync runs on its own task: the first look is due once its timer exists.
        await Eventually.HoldsAsync(() => Task.FromResult(_clock.PendingTimers), timers => timers > 0, "the watch's timer");
    }

    public Task DisposeAsync() => _watch.StopAsync(CancellationToken.None);

    public void Dispose() => _watch.Dispose();

    [Fact]
    public async Task RowPresent_OnEveryLook_NoExit()
    {
        await LooksAsync(Look.Present, Look.Present, Look.Present, Look.Present);

        AssertStillRunning();
    }

    [Fact]
    public async Task RowMissingOnce_ThenBack_NoExit()
    {
        // The look after a missing one is only made once the missing one was judged.
        await LooksAsync(Look.Present, Look.Missing, Look.Present, Look.Missing, Look.Present);

        AssertStillRunning();
    }

    [Fact]
    public async Task RowMissingTwiceInARow_StopsTheSiloOnce_ForExitCode6()
    {
        await LooksAsync(Look.Present, Look.Missing, Look.Missing);

        await Eventually.HoldsAsync(() => Task.FromResult(_watch.Lost), lost => lost, "the watch to give the silo up");
        await _watch.ExecuteTask!;
        Assert.Equal(1, _lifetime.Stops);
        Assert.Equal(6, MembershipEntryWatch.ExitCode); // docs/operations.md: "the process exits 6"

        // It stopped looking: more ticks read nothing and ask for no second stop.
        _clock.Advance(Grace);
        Assert.Equal(3, _table.Reads);
        Assert.Equal(1, _lifetime.Stops);
    }

    [Fact]
    public async Task RedisUnreachableBetweenTwoMissingLooks_IsNotALoss()
    {
        // Unreachable is not missing: Orleans rides that out on its snapshot, and the count starts again.
        await LooksAsync(Look.Missing, Look.Unreachable, Look.Missing, Look.Present);

        AssertStillRunning();
    }

    [Fact]
    public async Task TableUnreadableWhileRedisAnswers_CountsAsMissing()
    {
        // An emptied table has no version row either, so reading it fails although Redis answers.
        await LooksAsync(Look.Missing, Look.Unreadable);

        await Eventually.HoldsAsync(() => Task.FromResult(_watch.Lost), lost => lost, "the watch to give the silo up");
        Assert.Equal(1, _lifetime.Stops);
    }

    private void AssertStillRunning()
    {
        Assert.False(_watch.Lost);
        Assert.Equal(0, _lifetime.Stops);
        Assert.False(_watch.ExecuteTask!.IsCompleted);
    }

    /// <summary>One tick per look; returns once every look was read.</summary>
    private async Task LooksAsync(params Look[] looks)
    {
        foreach (var look in looks)
        {
            _table.Next.Enqueue(look);
        }

        var want = _table.Reads + looks.Length;
        for (var i = 0; i < looks.Length; i++)
        {
            var before = _table.Reads;
            _clock.Advance(Grace / 2);
            await Eventually.HoldsAsync(() => Task.FromResult(_table.Reads), reads => reads > before, $"look {before + 1} to be read");
        }

        Assert.Equal(want, _table.Reads);
    }

    private enum Look
    {
        Present,
        Missing,
        Unreachable,
        Unreadable,
    }

    private sealed class ScriptedTable : IMembershipTable
    {
        private int _reads;

        public ConcurrentQueue<Look> Next { get; } = new();

        public int Reads => Volatile.Read(ref _reads);

        public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key, CancellationToken.None);

        public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken)
        {
            var look = Next.TryDequeue(out var l) ? l : Look.Present;
            Interlocked.Increment(ref _reads);
            return look switch
            {
                Look.Present => Task.FromResult(new MembershipTableData(
                    Tuple.Create(new MembershipEntry { SiloAddress = key, Status = SiloStatus.Active }, "etag"), new TableVersion(1, "v1"))),
                Look.Missing => Task.FromResult(new MembershipTableData(new TableVersion(1, "v1"))),
                Look.Unreachable => Task.FromException<MembershipTableData>(new TimeoutException("Redis did not answer")),
                _ => Task.FromException<MembershipTableData>(new InvalidOperationException("The Redis membership table version is missing")),
            };
        }

        public Task InitializeMembershipTable(bool tryInitTableVersion) => throw new NotSupportedException();

        public Task DeleteMembershipTableEntries(string clusterId) => throw new NotSupportedException();

        public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => throw new NotSupportedException();

        public Task<MembershipTableData> ReadAll() => throw new NotSupportedException();

        public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => throw new NotSupportedException();

        public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => throw new NotSupportedException();

        public Task UpdateIAmAlive(MembershipEntry entry) => throw new NotSupportedException();
    }

    private sealed class ActiveMembership : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; } = new(
            ImmutableDictionary<SiloAddress, ClusterMember>.Empty.Add(Self, new ClusterMember(Self, SiloStatus.Active, "silo1")), new MembershipVersion(1));

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> TryKill(SiloAddress siloAddress) => throw new NotSupportedException();
    }

    private sealed class LocalSilo : ILocalSiloDetails
    {
        public string Name => "silo1";

        public string ClusterId => "chaos";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => Self;

        public SiloAddress GatewayAddress => Self;
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private int _stops;

        public int Stops => Volatile.Read(ref _stops);

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Interlocked.Increment(ref _stops);
    }
}
