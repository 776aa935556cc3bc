using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansAgents.Api.Errors;
using OrleansAgents.Api.Security;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).WithName("Login").AllowAnonymousEndpoint()
            .WithSummary("Exchange a user name and password for an access token and a refresh token");
        auth.MapPost("/refresh", RefreshAsync).WithName("RefreshToken").AllowAnonymousEndpoint()
            .WithSummary("Exchange a refresh token for a new access token and a new refresh token (the old one stops working)");
        auth.MapPost("/logout", LogoutAsync).WithName("Logout").RequireAuthenticated()
            .WithSummary("Revoke this access token and its refresh-token family");
        auth.MapGet("/me", Me).WithName("WhoAmI").RequireAuthenticated().WithSummary("The caller's subject, roles and permissions");
        return app;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest body, HttpContext http, IGrainFactory grains, TokenIssuer issuer)
    {
        if (string.IsNullOrEmpty(body.Username) || string.IsNullOrEmpty(body.Password))
        {
            return ProblemResults.Invalid(ErrorCodes.ValidationFailed, "username and password are required.");
        }

        if (!SecurityRules.IsValidUserName(body.Username) || body.Password.Length > SecurityRules.PasswordMaxLength)
        {
            await AuditAsync(grains, http, body.Username.Length <= 64 ? body.Username : "(invalid)", AuditActions.LoginFailed, "invalid user name");
            return InvalidCredentials();
        }

        // Per user name, whatever the address: bounds guessing spread over many addresses. Separate
        // from the per-address limit every anonymous request already paid.
        var perName = await grains.GetGrain<IRateLimitBucketGrain>(LoginBucket(body.Username)).DecideAsync(new RateLimitRequest(1));
        if (!perName.Allowed)
        {
            await AuditAsync(grains, http, body.Username, AuditActions.LoginFailed, "login rate limit");
            http.Response.Headers.RetryAfter = RateLimiting.RateLimitHeaders.Seconds(perName.RetryAfter).ToString(CultureInfo.InvariantCulture);
            return ProblemResults.Problem(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded,
                $"Too many logins for this user name ({perName.ViolatedWindow} limit of the '{perName.Tier}' tier); retry later.", recoverable: true);
        }

        // Known and unknown names alike, per client address: the same answers for both, and a
        // stranger elsewhere cannot keep a user out (issue 17).
        var throttle = grains.GetGrain<ILoginThrottleGrain>(body.Username + "/" + ClientAddress.Of(http));
        if (await throttle.WaitAsync() is { } wait && wait > TimeSpan.Zero)
        {
            await AuditAsync(grains, http, body.Username, AuditActions.LoginFailed, "throttled");
            return Throttled(http, wait);
        }

        var result = await grains.GetGrain<IUserGrain>(body.Username).VerifyPasswordAsync(body.Password);
        switch (result.Outcome)
        {
            case LoginOutcome.Succeeded:
                await throttle.SucceededAsync();
                var user = result.User!;
                var family = RefreshTokenRules.NewFamilyId();
                var refresh = await grains.GetGrain<IRefreshTokenFamilyGrain>(family).StartAsync(user.Name);
                await AuditAsync(grains, http, user.Name, AuditActions.Login, "ok");
                return TypedResults.Ok(Tokens(issuer, user, family, refresh));
            default:
                await throttle.FailedAsync();
                await AuditAsync(grains, http, body.Username, AuditActions.LoginFailed, result.Outcome == LoginOutcome.Disabled ? "disabled" : "bad credentials");
                return InvalidCredentials();
        }
    }

    /// <summary>The bucket of logins to one user name (rate limited in RateLimiting:DefaultTier unless given a tier).</summary>
    public static string LoginBucket(string userName) => "login-" + userName;

    private static ProblemHttpResult Throttled(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ProblemResults.Problem(StatusCodes.Status429TooManyRequests, ErrorCodes.AuthLockedOut,
            "Too many failed logins for this name from here: wait before trying again (Retry-After).", recoverable: true);
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest body, HttpContext http, IGrainFactory grains, TokenIssuer issuer)
    {
        if (body.RefreshToken is null || !RefreshTokenRules.TryParse(body.RefreshToken, out var family, out _))
        {
            return InvalidRefresh();
        }

        var rotated = await grains.GetGrain<IRefreshTokenFamilyGrain>(family).RotateAsync(body.RefreshToken);
        if (!rotated.Accepted)
        {
            if (rotated.Problem == RefreshProblems.Reuse)
            {
                await AuditAsync(grains, http, rotated.UserName ?? "(unknown)", AuditActions.RefreshReuse, "family revoked");
                return ProblemResults.Problem(StatusCodes.Status401Unauthorized, ErrorCodes.AuthRefreshReused,
                    "This refresh token was already used: every token of its login is now revoked. Log in again.");
            }

            return InvalidRefresh();
        }

        var user = await grains.GetGrain<IUserGrain>(rotated.UserName!).GetAsync();
        if (user is null || user.Disabled)
        {
            await grains.GetGrain<IRefreshTokenFamilyGrain>(family).RevokeAsync();
            return InvalidRefresh();
        }

        return TypedResults.Ok(Tokens(issuer, user, family, rotated));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext http, IGrainFactory grains, RevocationCache revocations)
    {
        var jti = http.User.FindFirst(AgentClaims.TokenId)?.Value;
        var exp = http.User.FindFirst("exp")?.Value;
        if (jti is not null && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            await grains.GetGrain<ITokenRevocationGrain>(0).RevokeAsync(new RevokedToken(jti, DateTimeOffset.FromUnixTimeSeconds(seconds)));
        }

        if (http.User.FindFirst(AgentClaims.RefreshFamily)?.Value is { } family)
        {
            await grains.GetGrain<IRefreshTokenFamilyGrain>(family).RevokeAsync();
        }

        await revocations.RefreshAsync();
        await AuditAsync(grains, http, http.User.Identity?.Name ?? "(unknown)", AuditActions.Logout, "ok");
        return TypedResults.NoContent();
    }

    private static Ok<MeResponse> Me(HttpContext http)
    {
        var roles = http.User.FindAll(AgentClaims.Roles).Select(c => c.Value).ToArray();
        return TypedResults.Ok(new MeResponse(
            http.User.Identity?.Name ?? "", http.User.FindFirst(AgentClaims.Kind)?.Value ?? "user", roles,
            [.. Roles.PermissionsOf(roles).Order(StringComparer.Ordinal)]));
    }

    private static TokenResponse Tokens(TokenIssuer issuer, UserView user, string family, RefreshResult refresh)
    {
        var access = issuer.Issue(user.Name, user.Roles.ToArray(), "user", family, user.SecurityStamp);
        return new TokenResponse(access.Token, "Bearer", (int)(access.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds,
            refresh.NewRefreshToken!, refresh.ExpiresAt, user.Name, user.Roles,
            [.. Roles.PermissionsOf(user.Roles).Order(StringComparer.Ordinal)]);
    }

    private static ProblemHttpResult InvalidCredentials() => ProblemResults.Problem(StatusCodes.Status401Unauthorized,
        ErrorCodes.AuthInvalidCredentials, "The user name or password is wrong, or the account is disabled.");

    private static ProblemHttpResult InvalidRefresh() => ProblemResults.Problem(StatusCodes.Status401Unauthorized,
        ErrorCodes.AuthInvalidRefreshToken, "The refresh token is unknown, expired or revoked. Log in again.");

    internal static Task AuditAsync(IGrainFactory grains, HttpContext http, string actor, string action, string outcome, string? target = null, string? detail = null) =>
        Audit.RecordAsync(grains, http, action, target, outcome, detail, actor);
}
