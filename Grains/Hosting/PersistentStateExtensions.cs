namespace OrleansAgents.Grains.Hosting;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state; on failure the in-memory state is ahead of storage, so the grain is
    /// deactivated and the next call reloads what is really stored.
    /// </summary>
    public static async Task SaveOrDeactivateAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>A group-commit writer for the grain's state (see <see cref="GroupCommitWriter"/>).</summary>
    public static GroupCommitWriter GroupCommit<T>(this IPersistentState<T> state, IGrainBase grain) =>
        new(() => state.WriteStateAsync(), grain.DeactivateOnIdle);

    /// <summary>As <see cref="GroupCommit{T}(IPersistentState{T}, IGrainBase)"/>, with <paramref name="write"/> run instead of a plain write.</summary>
    public static GroupCommitWriter GroupCommit(this IGrainBase grain, Func<Task> write) =>
        new(write, grain.DeactivateOnIdle);
}
