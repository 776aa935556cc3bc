namespace OrleansAgents.Errors;

/// <summary>
/// A failure the caller caused (bad input, conflict, missing entity). It crosses the grain
/// boundary intact so the API can turn it into a ProblemDetails with the same code.
/// </summary>
[GenerateSerializer, Alias("OrleansAgents.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException(string code, string message, DomainErrorKind kind = DomainErrorKind.Invalid)
        : base(message)
    {
        Code = code;
        Kind = kind;
    }

    [Id(0)]
    public string Code { get; }

    [Id(1)]
    public DomainErrorKind Kind { get; }

    /// <summary>When the caller may try again (sent as Retry-After), for <see cref="DomainErrorKind.Unavailable"/>.</summary>
    [Id(2)]
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Every finding when there are several (e.g. a workflow's validation), sent as the problem's <c>errors</c> list.</summary>
    [Id(3)]
    public IReadOnlyList<DomainErrorDetail>? Errors { get; init; }
}

/// <summary>One finding of a <see cref="DomainException"/>: where, a stable code, and a message for people.</summary>
[GenerateSerializer, Immutable, Alias("OrleansAgents.DomainErrorDetail")]
public sealed record class DomainErrorDetail(
    [property: Id(0)] string Path,
    [property: Id(1)] string Code,
    [property: Id(2)] string Message);

[GenerateSerializer, Alias("OrleansAgents.DomainErrorKind")]
public enum DomainErrorKind
{
    Invalid = 0,
    NotFound = 1,
    Conflict = 2,

    /// <summary>Capacity is exhausted for now (503 with Retry-After); the request may succeed later.</summary>
    Unavailable = 3,

    /// <summary>The content is bigger than a limit allows (413).</summary>
    TooLarge = 4,

    /// <summary>A quota or budget is used up until a known time (429 with Retry-After).</summary>
    TooManyRequests = 5,
}
