using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

using OrleansAgents.Grains.Hosting;

namespace OrleansAgents.Grains.Conversations;

/// <summary>Section <c>Conversations</c>: bounds of a conversation's grain state and its recovery.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>Events kept for streaming and resume (Last-Event-ID); older ones fall off.</summary>
    [Range(10, 100_000)]
    public int EventRetention { get; set; } = 2000;

    /// <summary>Messages that may wait behind a running turn; one more is refused with 409 conversation.queue_full.</summary>
    [Range(0, 100)]
    public int MaxQueuedTurns { get; set; } = 8;

    /// <summary>Turns one conversation may hold; start a new conversation after that.</summary>
    [Range(1, 100_000)]
    public int MaxTurns { get; set; } = 1000;

    /// <summary>How often the reminder looks for an unfinished turn no activation runs (after a silo crash).</summary>
    /// Orleans reminders fire at most once a minute.
    [Range(typeof(TimeSpan), "00:01:00", OptionBounds.MaxTimeSpan)]
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest a tool's child task may take before the tool call answers the model with a timeout.</summary>
    [Range(typeof(TimeSpan), OptionBounds.MinPositiveTimeSpan, OptionBounds.MaxTimeSpan)]
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delegation levels below a root conversation (A asks B: 1); a deeper ask is a tool error the model sees.</summary>
    [Range(1, 10)]
    public int MaxDelegationDepth { get; set; } = 3;
}

/// <summary>The bounds above, generated from their data annotations (see <c>AddValidatedOptions</c>).</summary>
[OptionsValidator]
internal sealed partial class ConversationOptionsValidator : IValidateOptions<ConversationOptions>;
