using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansAgents.Tasks;

/// <summary>The published limits and id scheme of tasks.</summary>
public static partial class TaskRules
{
    /// <summary>"t_" and 26 lowercase base32 characters.</summary>
    public const string IdPattern = "^t_[a-z2-7]{26}$";
    public const string SkillPattern = "^[a-z][a-z0-9_.-]{0,63}$";
    public const int IdempotencyKeyMaxLength = 200;
    public const int MaxAttemptsLimit = 20;
    public const int DefaultMaxAttempts = 3;
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;

    /// <summary>A task's origin: a kind, a colon, then the kind's own reference (e.g. <c>workflow-run:r_abc:fetch</c>).</summary>
    public const string OriginPattern = "^[a-z][a-z-]{0,31}:[A-Za-z0-9_.:-]{1,200}$";

    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && IdRegex().IsMatch(id);

    public static bool IsValidSkillName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? skill) => skill is not null && SkillRegex().IsMatch(skill);

    /// <summary>Printable ASCII without spaces at the ends, like an HTTP header value.</summary>
    public static bool IsValidIdempotencyKey([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? key) =>
        key is { Length: > 0 and <= IdempotencyKeyMaxLength } && key.All(c => c is >= ' ' and <= '~') && key.Trim().Length == key.Length;

    /// <summary>A fresh random id.</summary>
    public static string NewId() => "t_" + IdEncoding.Base32(RandomNumberGenerator.GetBytes(17));

    /// <summary>
    /// The id of the task a caller's idempotency key names: the same caller and key always give
    /// the same task, so a repeat lands on the first task's grain.
    /// </summary>
    public static string IdForIdempotencyKey(string submittedBy, string key) =>
        "t_" + IdEncoding.Base32(SHA256.HashData(Encoding.UTF8.GetBytes(submittedBy + "\n" + key)));

    public static bool IsFinished(TaskState state) => state is TaskState.Succeeded or TaskState.Failed or TaskState.Cancelled or TaskState.DeadLettered;


    [GeneratedRegex("^t_[a-z2-7]{26}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SkillRegex();
}
