namespace OrleansAgents.Api.Apis;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    string RefreshToken,
    DateTimeOffset? RefreshExpiresAt,
    string User,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions);

public sealed record MeResponse(string Subject, string Kind, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);
