using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Tasks;

[GenerateSerializer, Alias("OrleansAgents.DeadLetterState.v1")]
public sealed class DeadLetterState
{
    [Id(0)] public Dictionary<string, TaskSummary> Tasks { get; set; } = [];
}

/// <summary>Which dead-letter grain holds a task: shards 1..<see cref="Shards"/>; key 0 is the reader that merges them.</summary>
public static class DeadLetters
{
    /// <summary>
    /// Dead letters arrive in bursts exactly when a dependency is down; every add rewrites the
    /// shard's whole state, so the list is split for adds to run in parallel and write 1/16 each.
    /// </summary>
    public const int Shards = 16;

    public const long Reader = 0;

    /// <summary>A stable hash (FNV-1a over the id's characters): the shard must not change between processes.</summary>
    public static long ShardOf(string taskId)
    {
        var hash = 2166136261u;
        foreach (var c in taskId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return 1 + (hash % Shards);
    }
}

/// <summary>
/// The dead-letter list: tasks that used up their attempts on transient failures (or were lost
/// to silo crashes too often). Keys 1..16 each hold a shard, bounded by DeadLetterRetention / 16;
/// key 0 answers lists and counts by merging the shards, and forwards adds and removes.
/// </summary>
public sealed class DeadLetterGrain(
    [PersistentState("deadletters", StorageNames.Tasks)] IPersistentState<DeadLetterState> state,
    IOptions<TaskOptions> options,
    TaskMetrics metrics) : Grain, IDeadLetterGrain
{
    private long Key => this.GetPrimaryKeyLong();

    private bool IsReader => Key == DeadLetters.Reader;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IsReader && state.State.Tasks.Count > 0)
        {
            // Written before the list was sharded: hand the entries to their shards once.
            await Task.WhenAll(state.State.Tasks.Values.Select(t => Shard(t.Id).AddAsync(t)));
            await state.ClearStateAsync(cancellationToken);
        }

        if (!IsReader)
        {
            metrics.PublishDeadLetters(Key, state.State.Tasks.Count);
        }
    }

    public async Task AddAsync(TaskSummary summary)
    {
        if (IsReader)
        {
            await Shard(summary.Id).AddAsync(summary);
            return;
        }

        var tasks = state.State.Tasks;
        if (tasks.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version)
        {
            return;
        }

        tasks[summary.Id] = summary;
        var retention = Math.Max(1, (options.Value.DeadLetterRetention + DeadLetters.Shards - 1) / DeadLetters.Shards);
        var excess = tasks.Count - retention;
        foreach (var old in excess > 0 ? tasks.Values.OrderBy(t => t.UpdatedAt).Take(excess).ToList() : [])
        {
            tasks.Remove(old.Id);
        }

        await state.SaveOrDeactivateAsync(this);
        metrics.PublishDeadLetters(Key, tasks.Count);
    }

    public async Task RemoveAsync(string taskId)
    {
        if (IsReader)
        {
            await Shard(taskId).RemoveAsync(taskId);
            return;
        }

        if (state.State.Tasks.Remove(taskId))
        {
            await state.SaveOrDeactivateAsync(this);
            metrics.PublishDeadLetters(Key, state.State.Tasks.Count);
        }
    }

    public async ValueTask<TaskSummaryPage> ListAsync(int limit, string? after)
    {
        if (!IsReader)
        {
            return TaskListing.Page(TaskListing.NewestFirst(state.State.Tasks.Values), limit, after);
        }

        // Each shard's first page after the cursor; the merged list's first page is within their union.
        var pages = await Task.WhenAll(AllShards().Select(s => s.ListAsync(limit, after).AsTask()));
        var merged = TaskListing.Page(TaskListing.NewestFirst(pages.SelectMany(p => p.Items)), limit, cursor: null);
        return merged.NextCursor is null && pages.Any(p => p.NextCursor is not null) && merged.Items.Count > 0
            ? merged with { NextCursor = TaskListing.Cursor(merged.Items[^1]) }
            : merged;
    }

    public async ValueTask<int> CountAsync() => IsReader
        ? (await Task.WhenAll(AllShards().Select(s => s.CountAsync().AsTask()))).Sum()
        : state.State.Tasks.Count;

    private IDeadLetterGrain Shard(string taskId) => GrainFactory.GetGrain<IDeadLetterGrain>(DeadLetters.ShardOf(taskId));

    private IEnumerable<IDeadLetterGrain> AllShards() =>
        Enumerable.Range(1, DeadLetters.Shards).Select(i => GrainFactory.GetGrain<IDeadLetterGrain>(i));
}
