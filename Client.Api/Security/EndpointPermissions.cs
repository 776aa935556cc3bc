namespace OrleansAgents.Api.Security;

/// <summary>
/// What an endpoint requires: a permission, or just an authenticated caller (Permission null).
/// Every /api endpoint carries this or <see cref="PublicEndpointAttribute"/>; a test fails otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class RequiredPermissionAttribute(string? permission) : Attribute
{
    public string? Permission { get; } = permission;
}

/// <summary>Open to anonymous callers on purpose (login, refresh).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class PublicEndpointAttribute : Attribute;

public static class EndpointPermissionExtensions
{
    public const string AuthenticatedPolicy = "authenticated";

    /// <summary>Requires the permission (policy of the same name) and records it for the permission matrix.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(permission).WithMetadata(new RequiredPermissionAttribute(permission));

    /// <summary>Any authenticated caller (e.g. logout).</summary>
    public static TBuilder RequireAuthenticated<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(AuthenticatedPolicy).WithMetadata(new RequiredPermissionAttribute(null));

    public static TBuilder AllowAnonymousEndpoint<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(new PublicEndpointAttribute());
}
