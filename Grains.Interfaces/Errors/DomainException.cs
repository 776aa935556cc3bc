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
}

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
}
