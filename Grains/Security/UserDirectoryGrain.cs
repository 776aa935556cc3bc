using OrleansAgents.Grains.Agents;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Security;

[GenerateSerializer, Alias("OrleansAgents.NameDirectoryState.v1")]
public sealed class NameDirectoryState
{
    /// <summary>Names (or ids) in ordinal order.</summary>
    [Id(0)] public List<string> Names { get; set; } = [];
}

/// <summary>All user names, sorted; written only when a user is created or deleted.</summary>
public sealed class UserDirectoryGrain(
    [PersistentState("users", StorageNames.Security)] IPersistentState<NameDirectoryState> state)
    : Grain, IUserDirectoryGrain
{
    public async Task AddAsync(string userName)
    {
        if (SortedIds.Insert(state.State.Names, userName))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public async Task RemoveAsync(string userName)
    {
        if (SortedIds.Remove(state.State.Names, userName))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListAsync(string? after, int limit) =>
        ValueTask.FromResult(SortedIds.Page(state.State.Names, after, limit).Ids);
}

/// <summary>All API key ids, sorted. Keys are revoked, never deleted, so ids are only added.</summary>
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("apikeys", StorageNames.Security)] IPersistentState<NameDirectoryState> state)
    : Grain, IApiKeyDirectoryGrain
{
    public async Task AddAsync(string keyId)
    {
        if (SortedIds.Insert(state.State.Names, keyId))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListAsync(string? after, int limit) =>
        ValueTask.FromResult(SortedIds.Page(state.State.Names, after, limit).Ids);
}
