namespace OrleansAgents.Api.Apis;

/// <summary>Body of POST /api/users and PUT /api/users/{name}. The password is write-only.</summary>
public sealed record UserRequest(string? Name, string? Password, List<string>? Roles, string? Tier, bool? Disabled, string? DisplayName);

public sealed record UserListResponse(IReadOnlyList<UserView> Items, string? NextCursor);

public sealed record ApiKeyRequest(string? Name, List<string>? Roles, int? ExpiresInDays, string? Tier = null, List<string>? Agents = null);

public sealed record SessionsRevokedResponse(string User, int RefreshFamiliesRevoked);

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyView> Items, string? NextCursor);
