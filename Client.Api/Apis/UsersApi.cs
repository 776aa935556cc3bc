using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.RateLimiting;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/users").WithTags("Users");
        users.MapPost("/", CreateAsync).WithName("CreateUser").RequirePermission(Permissions.UserCreate).WithSummary("Create a user");
        users.MapGet("/", ListAsync).WithName("ListUsers").RequirePermission(Permissions.UserRead).WithSummary("List users, one page at a time");
        users.MapGet("/{name}", GetAsync).WithName("GetUser").RequirePermission(Permissions.UserRead).WithSummary("Get a user");
        users.MapPut("/{name}", UpdateAsync).WithName("UpdateUser").RequirePermission(Permissions.UserUpdate)
            .WithSummary("Replace a user's roles, tier, disabled flag and display name; set a new password if given");
        users.MapDelete("/{name}", DeleteAsync).WithName("DeleteUser").RequirePermission(Permissions.UserDelete).WithSummary("Delete a user");
        users.MapPost("/{name}/sessions:revoke", RevokeSessionsAsync).WithName("RevokeUserSessions").RequireAuthenticated()
            .WithSummary("End every session of a user (refresh tokens and access tokens): yourself, or anyone with user:update");

        var keys = app.MapGroup("/api-keys").WithTags("Users");
        keys.MapPost("/", CreateKeyAsync).WithName("CreateApiKey").RequirePermission(Permissions.SystemAdmin)
            .WithSummary("Create an API key for a machine client; the key is shown once");
        keys.MapGet("/", ListKeysAsync).WithName("ListApiKeys").RequirePermission(Permissions.SystemAdmin).WithSummary("List API keys (never their secrets)");
        keys.MapDelete("/{id}", RevokeKeyAsync).WithName("RevokeApiKey").RequirePermission(Permissions.SystemAdmin).WithSummary("Revoke an API key");
        return app;
    }

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateAsync(
        UserRequest body, HttpContext http, IGrainFactory grains, IOptions<ApiRateLimitOptions> rateLimits)
    {
        if (!SecurityRules.IsValidUserName(body.Name))
        {
            return InvalidName();
        }

        // Without a tier, the user starts in the tier configured for its roles (RateLimiting:RoleTiers).
        body = body with { Tier = body.Tier ?? TierAssignment.ForRoles(rateLimits.Value, body.Roles ?? []) };
        await ApplyTierAsync(grains, body.Name, body.Tier); // first: an unknown tier refuses the request before anything is created
        var view = await grains.GetGrain<IUserGrain>(body.Name).CreateAsync(Spec(body));
        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.UserCreated, "ok", view.Name, "roles=" + string.Join(",", view.Roles));
        return TypedResults.Created($"/api/users/{view.Name}", view);
    }

    private static async Task<Results<Ok<UserListResponse>, ProblemHttpResult>> ListAsync([AsParameters] PageRequest paging, IGrainFactory grains)
    {
        if (!paging.TrySize(50, 200, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        if (paging.Cursor is not null && !SecurityRules.IsValidUserName(paging.Cursor))
        {
            return ProblemResults.Invalid(ErrorCodes.InvalidCursor, "cursor is not one this API returned; start again without it.");
        }

        var names = await grains.GetGrain<IUserDirectoryGrain>(0).ListAsync(paging.Cursor, pageSize + 1);
        var page = names.Take(pageSize).ToList();
        var users = await Task.WhenAll(page.Select(n => grains.GetGrain<IUserGrain>(n).GetAsync().AsTask()));
        return TypedResults.Ok(new UserListResponse([.. users.OfType<UserView>()], names.Count > pageSize ? page[^1] : null));
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(string name, IGrainFactory grains)
    {
        if (!SecurityRules.IsValidUserName(name))
        {
            return InvalidName();
        }

        return await grains.GetGrain<IUserGrain>(name).GetAsync() is { } view
            ? TypedResults.Ok(view)
            : ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.UserNotFound, $"User '{name}' does not exist.");
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> UpdateAsync(
        string name, UserRequest body, HttpContext http, IGrainFactory grains, RevocationCache revocations)
    {
        if (!SecurityRules.IsValidUserName(name) || (body.Name is not null && body.Name != name))
        {
            return InvalidName();
        }

        await ApplyTierAsync(grains, name, body.Tier);
        var view = await grains.GetGrain<IUserGrain>(name).UpdateAsync(Spec(body));

        // A password, disable or role removal ended the user's sessions; this process denies them at once.
        await revocations.RefreshAsync();
        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.UserUpdated, "ok", view.Name,
            $"roles={string.Join(",", view.Roles)} disabled={view.Disabled}" + (body.Password is null ? "" : " password=changed"));
        return TypedResults.Ok(view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, HttpContext http, IGrainFactory grains)
    {
        if (!SecurityRules.IsValidUserName(name))
        {
            return InvalidName();
        }

        if (!await grains.GetGrain<IUserGrain>(name).DeleteAsync())
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.UserNotFound, $"User '{name}' does not exist.");
        }

        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.UserDeleted, "ok", name);
        return TypedResults.NoContent();
    }

    /// <summary>"Log out everywhere": a user for itself, an admin for anyone (others get the 404 an unknown user gets).</summary>
    private static async Task<Results<Ok<SessionsRevokedResponse>, ProblemHttpResult>> RevokeSessionsAsync(
        string name, HttpContext http, IGrainFactory grains, RevocationCache revocations)
    {
        if (!SecurityRules.IsValidUserName(name))
        {
            return InvalidName();
        }

        if ((!Ownership.Owns(http, name) && !Ownership.Holds(http, Permissions.UserUpdate)) || await grains.GetGrain<IUserGrain>(name).GetAsync() is null)
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.UserNotFound, $"User '{name}' does not exist.");
        }

        var families = await grains.GetGrain<IUserGrain>(name).RevokeSessionsAsync();
        await revocations.RefreshAsync();
        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.SessionsRevoked, "ok", name, $"families={families}");
        return TypedResults.Ok(new SessionsRevokedResponse(name, families));
    }

    private static async Task<Results<Created<ApiKeyCreated>, ProblemHttpResult>> CreateKeyAsync(
        ApiKeyRequest body, HttpContext http, IGrainFactory grains, TimeProvider time, IOptions<ApiRateLimitOptions> rateLimits)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "name is required (at most 100 characters).");
        }

        if (body.ExpiresInDays is < 1 or > 3650)
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "expiresInDays must be between 1 and 3650.");
        }

        if (body.Tier is not null && !SecurityRules.IsValidTier(body.Tier))
        {
            return ProblemResults.Invalid(ErrorCodes.RateLimitUnknownTier, $"tier must match {SecurityRules.TierPattern}.");
        }

        if (body.Agents is not null && await DenyKeyAgentsAsync(body.Agents, http, grains) is { } badAgents)
        {
            return badAgents;
        }

        var id = ApiKeyRules.NewId();

        // A key is charged as apikey-{id} (see ClientPartitioner); its tier is set before the key exists, so an unknown tier creates nothing.
        var tier = body.Tier ?? TierAssignment.ForRoles(rateLimits.Value, body.Roles ?? []);
        await TierAssignment.ApplyAsync(grains, ApiKeyRules.Subject(id), tier);
        var created = await grains.GetGrain<IApiKeyGrain>(id).CreateAsync(new ApiKeySpec(
            body.Name, body.Roles ?? [], Actor(http), body.ExpiresInDays is { } days ? time.GetUtcNow().AddDays(days) : null, tier, body.Agents));
        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.ApiKeyCreated, "ok", created.View.Id,
            "roles=" + string.Join(",", created.View.Roles) + (body.Agents is null ? "" : " agents=" + string.Join(",", body.Agents)));
        return TypedResults.Created($"/api/api-keys/{created.View.Id}", created);
    }

    /// <summary>
    /// A worker key acts for its agents as their owner would (docs/security.md), so each must exist
    /// and belong to the key's creator, unless the creator may manage anyone's tasks.
    /// </summary>
    private static async Task<ProblemHttpResult?> DenyKeyAgentsAsync(List<string> agents, HttpContext http, IGrainFactory grains)
    {
        if (!SecurityRules.IsValidKeyAgents(agents))
        {
            return ProblemResults.Invalid(ErrorCodes.ApiKeyInvalidAgents, $"agents must be 1 to {SecurityRules.MaxKeyAgents} distinct agent ids.");
        }

        var views = await Task.WhenAll(agents.Select(a => grains.GetGrain<IAgentGrain>(a).GetAsync().AsTask()));
        for (var i = 0; i < agents.Count; i++)
        {
            if (views[i] is not { } agent)
            {
                return ProblemResults.Invalid(ErrorCodes.ApiKeyInvalidAgents, $"agents: there is no agent '{agents[i]}'.");
            }

            if (!Ownership.May(http, AgentOwnership.OwnerOf(agent), Permissions.TaskManageAny))
            {
                return ProblemResults.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                    $"Agent '{agents[i]}' belongs to someone else; a key acting for it needs the permission '{Permissions.TaskManageAny}'.");
            }
        }

        return null;
    }

    private static async Task<Results<Ok<ApiKeyListResponse>, ProblemHttpResult>> ListKeysAsync([AsParameters] PageRequest paging, IGrainFactory grains)
    {
        // 200 without a limit, as before limit was read.
        if (!paging.TrySize(200, 200, out var pageSize, out var badLimit))
        {
            return badLimit;
        }

        var ids = await grains.GetGrain<IApiKeyDirectoryGrain>(0).ListAsync(paging.Cursor, pageSize + 1);
        var page = ids.Take(pageSize).ToList();
        var keys = await Task.WhenAll(page.Select(i => grains.GetGrain<IApiKeyGrain>(i).GetAsync().AsTask()));
        return TypedResults.Ok(new ApiKeyListResponse([.. keys.OfType<ApiKeyView>()], ids.Count > pageSize ? page[^1] : null));
    }

    private static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> RevokeKeyAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (id.Length != 16 || id.Any(c => c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7'))) || await grains.GetGrain<IApiKeyGrain>(id).GetAsync() is null)
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, ErrorCodes.ApiKeyNotFound, $"No API key '{id}'.");
        }

        var view = await grains.GetGrain<IApiKeyGrain>(id).RevokeAsync();
        await AuthApi.AuditAsync(grains, http, Actor(http), AuditActions.ApiKeyRevoked, "ok", id);
        return TypedResults.Ok(view);
    }

    /// <summary>The user's rate-limit tier follows the user record.</summary>
    private static async Task ApplyTierAsync(IGrainFactory grains, string user, string? tier)
    {
        if (tier is not null)
        {
            await grains.GetGrain<IRateLimitBucketGrain>(user).SetTierAsync(tier);
        }
    }

    private static UserSpec Spec(UserRequest body) =>
        new(body.Password, body.Roles ?? [], body.Tier, body.Disabled ?? false, body.DisplayName);

    private static string Actor(HttpContext http) => http.User.Identity?.Name ?? "(unknown)";

    private static ProblemHttpResult InvalidName() =>
        ProblemResults.Invalid(ErrorCodes.UserInvalidName, $"User names must match {SecurityRules.UserNamePattern}.");
}
