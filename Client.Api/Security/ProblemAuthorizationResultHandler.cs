using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>401 and 403 as ProblemDetails with a code, like every other error of the API.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var presented = context.Request.Headers.Authorization.Count > 0 || context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var problem = presented
                ? ProblemResults.Create(StatusCodes.Status401Unauthorized, ErrorCodes.AuthInvalidToken,
                    "The access token or API key is invalid, expired or revoked. Log in again (POST /api/auth/login) or refresh it.")
                : ProblemResults.Create(StatusCodes.Status401Unauthorized, ErrorCodes.AuthRequired,
                    "Authentication is required: send Authorization: Bearer <access token> (POST /api/auth/login) or X-Api-Key.");
            await TypedResults.Problem(problem).ExecuteAsync(context);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var needed = context.GetEndpoint()?.Metadata.GetMetadata<RequiredPermissionAttribute>()?.Permission;
            await TypedResults.Problem(ProblemResults.Create(StatusCodes.Status403Forbidden, ErrorCodes.AuthForbidden,
                needed is null ? "Your roles do not allow this." : $"This needs the permission '{needed}', which none of your roles grants."))
                .ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
