using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansAgents.Api.Security;

/// <summary>Machine clients: <c>X-Api-Key: oak_{id}_{secret}</c>. The key's roles give its permissions.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count != 1 || !ApiKeyRules.TryParse(values.ToString(), out var id, out var secret))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var key = await grains.GetGrain<IApiKeyGrain>(id).VerifyAsync(secret);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        var claims = new List<Claim>
        {
            new(AgentClaims.Subject, ApiKeyRules.Subject(key.Id)),
            new(AgentClaims.Kind, "apikey"),
        };
        claims.AddRange(key.Roles.Select(r => new Claim(AgentClaims.Roles, r)));
        claims.AddRange((key.Agents ?? []).Select(a => new Claim(WorkerScope.AgentClaim, a)));
        var identity = new ClaimsIdentity(claims, SchemeName, AgentClaims.Subject, AgentClaims.Roles);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
