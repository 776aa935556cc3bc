using OrleansAgents.Conversations;
using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>One owner's conversations with one agent; small (a person's chats with one agent), so a list in one row.</summary>
public sealed class ConversationIndexGrain(
    [PersistentState("conversations", StorageNames.Tasks)] IPersistentState<ConversationIndexState> state) : Grain, IConversationIndexGrain
{
    public async Task AddAsync(string conversationId)
    {
        if (!state.State.Ids.Contains(conversationId))
        {
            state.State.Ids.Add(conversationId);
            await state.SaveOrDeactivateAsync(this);
        }
    }

    public async Task RemoveAsync(string conversationId)
    {
        if (state.State.Ids.Remove(conversationId))
        {
            await state.SaveOrDeactivateAsync(this);
        }
    }

    /// <summary>Newest first; the cursor is the last id returned.</summary>
    public ValueTask<ConversationIdPage> ListAsync(int limit, string? after)
    {
        var ids = state.State.Ids;
        var start = ids.Count - 1;
        if (after is not null)
        {
            var at = ids.IndexOf(after);
            start = at < 0 ? -1 : at - 1;
        }

        var page = new List<string>();
        for (var i = start; i >= 0 && page.Count < limit; i--)
        {
            page.Add(ids[i]);
        }

        var more = page.Count > 0 && ids.IndexOf(page[^1]) > 0;
        return ValueTask.FromResult(new ConversationIdPage(page, more ? page[^1] : null));
    }
}
