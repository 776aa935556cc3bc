using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansAgents.Api.Security;

/// <summary>Claim names in our access tokens.</summary>
public static class AgentClaims
{
    public const string Subject = "sub";
    public const string Roles = "roles";
    public const string Permissions = "permissions";
    public const string TokenId = "jti";
    public const string RefreshFamily = "fid";
    public const string Kind = "kind";

    /// <summary>The user's security stamp when the token was issued; a later change of it denies the token.</summary>
    public const string SecurityStamp = "sst";
}

/// <summary>An access token and when it expires.</summary>
public sealed record AccessToken(string Token, string Jti, DateTimeOffset ExpiresAt);

/// <summary>Signs short-lived access JWTs (HS256) with the active key; validation accepts every configured key.</summary>
public sealed class TokenIssuer(SecuritySettings settings, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public static IReadOnlyList<SecurityKey> ValidationKeys(SecuritySettings settings) =>
        [.. settings.SigningKeys.Select(k => new SymmetricSecurityKey(Encoding.UTF8.GetBytes(k.Key)) { KeyId = k.Id })];

    public AccessToken Issue(string subject, IReadOnlyCollection<string> roles, string kind, string? refreshFamily, long? securityStamp = null)
    {
        var now = time.GetUtcNow();
        var expires = now + settings.AccessTokenLifetime;
        var jti = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var claims = new Dictionary<string, object>
        {
            [AgentClaims.Subject] = subject,
            [AgentClaims.Roles] = roles.ToArray(),
            [AgentClaims.Permissions] = OrleansAgents.Security.Roles.PermissionsOf(roles).Order(StringComparer.Ordinal).ToArray(),
            [AgentClaims.TokenId] = jti,
            [AgentClaims.Kind] = kind,
        };
        if (refreshFamily is not null)
        {
            claims[AgentClaims.RefreshFamily] = refreshFamily;
        }

        if (securityStamp is { } stamp)
        {
            claims[AgentClaims.SecurityStamp] = stamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var active = settings.ActiveKey;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(active.Key)) { KeyId = active.Id }, SecurityAlgorithms.HmacSha256),
        });
        return new AccessToken(token, jti, expires);
    }
}
