namespace OrleansAgents.Security;

/// <summary>
/// Limits of the audit log. Stores cut longer fields instead of refusing them: losing the end
/// of a detail is better than losing the record of an action.
/// </summary>
public static class AuditRules
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public const int MaxActorLength = 200;
    public const int MaxActionLength = 100;
    public const int MaxTargetLength = 500;
    public const int MaxOutcomeLength = 50;
    public const int MaxSourceLength = 100;
    public const int MaxDetailLength = 2000;

    /// <summary>The entry with every field cut to its limit (and blank required fields named).</summary>
    public static AuditEntry Normalize(AuditEntry entry) => entry with
    {
        Actor = Cut(Required(entry.Actor, "unknown"), MaxActorLength),
        Action = Cut(Required(entry.Action, "unknown"), MaxActionLength),
        Target = CutOptional(entry.Target, MaxTargetLength),
        Outcome = Cut(Required(entry.Outcome, "unknown"), MaxOutcomeLength),
        Source = CutOptional(entry.Source, MaxSourceLength),
        Detail = CutOptional(entry.Detail, MaxDetailLength),
    };

    private static string Required(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;

    private static string? CutOptional(string? value, int max) => value is null ? null : Cut(value, max);

    private static string Cut(string value, int max)
    {
        if (value.Length <= max)
        {
            return value;
        }

        // Never leave half of a surrogate pair at the end: PostgreSQL rejects invalid UTF-16.
        var end = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return value[..end];
    }
}

/// <summary>The <c>outcome</c> column: how an audited action ended.</summary>
public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Denied = "denied";
}
