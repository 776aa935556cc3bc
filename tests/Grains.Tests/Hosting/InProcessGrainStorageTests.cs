using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Tests;

/// <summary>The embedded mode's storage keeps the memory storage's contract: copies, ETag checks, cleared records.</summary>
public sealed class InProcessGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("test", "a");
    private readonly InProcessGrainStorage _storage;

    public InProcessGrainStorageTests()
    {
        var services = new ServiceCollection();
        services.AddSerializer();
        InProcessGrainStorage.AddTo(services, ["s"]);
        _storage = (InProcessGrainStorage)services.BuildServiceProvider().GetRequiredKeyedService<IGrainStorage>("s");
    }

    private async Task<GrainState<List<string>>> ReadAsync(string name = "s", GrainId? grain = null)
    {
        var state = new GrainState<List<string>>(new List<string>());
        await _storage.ReadStateAsync(name, grain ?? Grain, state);
        return state;
    }

    [Fact]
    public async Task Read_OfNothing_LeavesTheStateNewAndWithoutRecord()
    {
        var state = await ReadAsync();

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Empty(state.State!);
    }

    [Fact]
    public async Task Write_ThenRead_GivesACopyWithTheNewETag()
    {
        var written = new GrainState<List<string>>(["one"]);
        await _storage.WriteStateAsync("s", Grain, written);
        written.State!.Add("changed after the write");

        var read = await ReadAsync();

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(["one"], read.State);
        Assert.False((await ReadAsync("other")).RecordExists); // state names and grains are apart
        Assert.False((await ReadAsync(grain: GrainId.Create("test", "b"))).RecordExists);
    }

    [Fact]
    public async Task Write_WithAStaleETag_IsRefusedAndChangesNothing()
    {
        var first = new GrainState<List<string>>(["one"]);
        await _storage.WriteStateAsync("s", Grain, first);
        var stale = new GrainState<List<string>>(["stale"]) { ETag = first.ETag };
        await _storage.WriteStateAsync("s", Grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", Grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("s", Grain, new GrainState<List<string>>(["second first write"])));
        Assert.Equal(["one"], (await ReadAsync()).State);
    }

    [Fact]
    public async Task Clear_ForgetsTheState_AndANewFirstWriteIsAccepted()
    {
        var state = new GrainState<List<string>>(["one"]);
        await _storage.WriteStateAsync("s", Grain, state);
        await _storage.ClearStateAsync("s", Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Empty(state.State!); // reset, as the ADO.NET provider does
        Assert.False((await ReadAsync()).RecordExists);

        await _storage.WriteStateAsync("s", Grain, new GrainState<List<string>>(["again"]));
        Assert.Equal(["again"], (await ReadAsync()).State);
    }

    [Fact]
    public async Task ConcurrentWriters_WithOneETag_OnlyOneWins()
    {
        var start = new GrainState<List<string>>(["start"]);
        await _storage.WriteStateAsync("s", Grain, start);
        var writers = Enumerable.Range(0, 16).Select(i => new GrainState<List<string>>([$"w{i}"]) { ETag = start.ETag }).ToList();

        var outcomes = await Task.WhenAll(writers.Select(async w =>
        {
            await Task.Yield();
            try
            {
                await _storage.WriteStateAsync("s", Grain, w);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o));
        var winner = writers[Array.IndexOf(outcomes, true)];
        Assert.Equal(winner.State, (await ReadAsync()).State);
    }
}
