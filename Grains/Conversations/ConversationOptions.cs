using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Grains.Conversations;

/// <summary>Section <c>Conversations</c>: bounds of a conversation's grain state and its recovery.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>Events kept for streaming and resume (Last-Event-ID); older ones fall off.</summary>
    public int EventRetention { get; set; } = 2000;

    /// <summary>Messages that may wait behind a running turn; one more is refused with 409 conversation.queue_full.</summary>
    public int MaxQueuedTurns { get; set; } = 8;

    /// <summary>Turns one conversation may hold; start a new conversation after that.</summary>
    public int MaxTurns { get; set; } = 1000;

    /// <summary>How often the reminder looks for an unfinished turn no activation runs (after a silo crash).</summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest a tool's child task may take before the tool call answers the model with a timeout.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delegation levels below a root conversation (A asks B: 1); a deeper ask is a tool error the model sees.</summary>
    [Range(1, 10)]
    public int MaxDelegationDepth { get; set; } = 3;
}

internal sealed class ConversationOptionsValidator : IValidateOptions<ConversationOptions>
{
    public ValidateOptionsResult Validate(string? name, ConversationOptions options)
    {
        var errors = new List<string>();
        if (options.EventRetention is < 10 or > 100_000)
        {
            errors.Add($"{ConversationOptions.Section}:EventRetention must be between 10 and 100000 (was {options.EventRetention}).");
        }

        if (options.MaxQueuedTurns is < 0 or > 100)
        {
            errors.Add($"{ConversationOptions.Section}:MaxQueuedTurns must be between 0 and 100 (was {options.MaxQueuedTurns}).");
        }

        if (options.MaxTurns is < 1 or > 100_000)
        {
            errors.Add($"{ConversationOptions.Section}:MaxTurns must be between 1 and 100000 (was {options.MaxTurns}).");
        }

        // Orleans reminders fire at most once a minute.
        if (options.ResumeInterval < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{ConversationOptions.Section}:ResumeInterval must be at least 00:01:00 (was {options.ResumeInterval}).");
        }

        if (options.ToolTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{ConversationOptions.Section}:ToolTimeout must be positive (was {options.ToolTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
