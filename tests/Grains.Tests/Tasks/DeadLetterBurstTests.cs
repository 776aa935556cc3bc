using System.Diagnostics;
using OrleansAgents.Grains.Tasks;
using Xunit.Abstractions;

namespace OrleansAgents.Tests.Tasks;

/// <summary>
/// Dead letters arrive in bursts when a dependency is down. The list is sharded so a burst does
/// not queue behind one grain rewriting everything: 1,000 arrive at once, and all of them can be
/// listed newest first through key 0, counted, and removed.
/// </summary>
public sealed class DeadLetterBurstTests(TaskClusterFixture fixture, ITestOutputHelper output) : IClassFixture<TaskClusterFixture>
{
    private readonly IClusterClient _client = fixture.Client;

    [Fact]
    public async Task ABurstOf1000_IsSpreadOverTheShards_AndListedNewestFirstThroughTheReader()
    {
        var start = DateTimeOffset.UtcNow;
        var letters = Enumerable.Range(0, 1000).Select(i => new TaskSummary(
            TaskRules.NewId(), "burst-agent", "test.probe", TaskPriority.Default, TaskState.DeadLettered, 3,
            start.AddMilliseconds(i), start.AddMilliseconds(i), new TaskError("test.transient", "down", Transient: true), 5)).ToList();
        var before = await _client.GetGrain<IDeadLetterGrain>(DeadLetters.Reader).CountAsync();

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(letters.Select(l => _client.GetGrain<IDeadLetterGrain>(DeadLetters.ShardOf(l.Id)).AddAsync(l)));
        output.WriteLine($"1,000 dead letters stored in {watch.ElapsedMilliseconds} ms over {DeadLetters.Shards} shards");

        Assert.True(letters.Select(l => DeadLetters.ShardOf(l.Id)).Distinct().Count() > DeadLetters.Shards / 2, "the ids spread over the shards");
        Assert.Equal(before + 1000, await _client.GetGrain<IDeadLetterGrain>(DeadLetters.Reader).CountAsync());

        // Page through everything with the reader's cursors: every burst letter once, newest first.
        var seen = new List<TaskSummary>();
        string? cursor = null;
        do
        {
            var page = await _client.GetGrain<IDeadLetterGrain>(DeadLetters.Reader).ListAsync(TaskRules.MaxPageSize, cursor);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var burst = letters.Select(l => l.Id).ToHashSet();
        var listed = seen.Where(s => burst.Contains(s.Id)).ToList();
        Assert.Equal(1000, listed.Count);
        Assert.Equal(1000, listed.Select(l => l.Id).Distinct().Count());
        Assert.Equal(listed.OrderByDescending(l => l.CreatedAt).Select(l => l.Id), listed.Select(l => l.Id));

        // A requeue removes the letter from its shard; a remove sent to the reader is forwarded.
        await _client.GetGrain<IDeadLetterGrain>(DeadLetters.ShardOf(letters[0].Id)).RemoveAsync(letters[0].Id);
        await _client.GetGrain<IDeadLetterGrain>(DeadLetters.Reader).RemoveAsync(letters[1].Id);
        Assert.Equal(before + 998, await _client.GetGrain<IDeadLetterGrain>(DeadLetters.Reader).CountAsync());
    }
}
