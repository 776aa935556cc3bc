using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrleansAgents.Memory;

/// <summary>
/// The published rules of agent memory (keys, tags, pages). Quotas and the time-to-live ceiling
/// are deployment settings (<c>Memory:*</c>); these are part of the contract.
/// </summary>
public static partial class MemoryRules
{
    /// <summary>
    /// 1–256 characters of letters, digits and <c>_ . : / -</c>, in segments separated by single
    /// slashes: no leading, trailing or doubled <c>/</c> and no <c>.</c> or <c>..</c> segment,
    /// because such keys could not travel unchanged in a URL path.
    /// </summary>
    public const string KeyPattern = @"^(?!\.\.?(/|$))(?!.*/\.\.?(/|$))[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+)*$";

    public const int KeyMaxLength = 256;

    /// <summary>What a key is, in words, for error messages and docs.</summary>
    public const string KeyRule =
        "Keys are 1-256 characters of letters, digits and _ . : / -, with no leading, trailing or doubled '/' and no '.' or '..' segment.";

    /// <summary>A list prefix is any start of a key: the same characters, up to 256 of them.</summary>
    public const string PrefixPattern = "^[A-Za-z0-9_.:/-]{1,256}$";

    /// <summary>Tags look like agent capabilities.</summary>
    public const string TagPattern = "^[a-z0-9][a-z0-9-_.:]{0,63}$";

    public const int MaxTags = 16;

    /// <summary>
    /// Deepest nesting of a value (arrays and objects). Bounded so that every response carrying
    /// values stays within the API's JSON depth limit.
    /// </summary>
    public const int MaxValueDepth = 10;

    public const int MaxPageSize = 200;

    public const int DefaultPageSize = 50;

    /// <summary>
    /// The ceiling for <c>Memory:MaxEntryBytes</c>. The API refuses bodies over twice this size
    /// (JSON escapes and whitespace can make a body larger than the entry it stores).
    /// </summary>
    public const int EntryBytesLimit = 1024 * 1024;

    public static bool IsValidKey([NotNullWhen(true)] string? key) =>
        key is { Length: > 0 and <= KeyMaxLength } && KeyRegex().IsMatch(key);

    public static bool IsValidPrefix([NotNullWhen(true)] string? prefix) => prefix is not null && PrefixRegex().IsMatch(prefix);

    public static bool IsValidTag([NotNullWhen(true)] string? tag) => tag is not null && TagRegex().IsMatch(tag);

    // \z instead of $ so that a trailing newline is not accepted.
    [GeneratedRegex(@"^(?!\.\.?(/|\z))(?!.*/\.\.?(/|\z))[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyRegex();

    [GeneratedRegex("^[A-Za-z0-9_.:/-]{1,256}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixRegex();

    [GeneratedRegex("^[a-z0-9][a-z0-9-_.:]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
