using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using OrleansAgents.Grains.Security;

namespace OrleansAgents.Api.Security;

public static partial class SecurityHosting
{
    public const string DefaultScheme = "BearerOrApiKey";

    /// <summary>
    /// JWT bearer tokens (HS256, our issuer and audience, any configured key id, not revoked) or
    /// API keys; one authorization policy per permission, computed from the caller's roles.
    /// </summary>
    public static WebApplicationBuilder AddAgentsSecurity(this WebApplicationBuilder builder)
    {
        var settings = SecuritySettings.Read(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenIssuer>();
        services.AddRevocationCache();

        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, DefaultScheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKeys = TokenIssuer.ValidationKeys(settings),
                    // A token names its key (kid); an unknown kid is refused rather than tried against every key.
                    TryAllIssuerSigningKeys = false,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = AgentClaims.Subject,
                    RoleClaimType = AgentClaims.Roles,
                };
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        var jti = context.Principal?.FindFirst(AgentClaims.TokenId)?.Value;
                        if (jti is null || context.HttpContext.RequestServices.GetRequiredService<RevocationCache>().IsRevoked(jti))
                        {
                            context.Fail("The token was revoked.");
                        }

                        return Task.CompletedTask;
                    },
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorization(o =>
        {
            o.AddPolicy(EndpointPermissionExtensions.AuthenticatedPolicy, p => p.RequireAuthenticatedUser());
            foreach (var permission in OrleansAgents.Security.Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(context =>
                    OrleansAgents.Security.Roles.PermissionsOf(context.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(permission)));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddHostedService<BootstrapAdmin>();
        return builder;
    }

    /// <summary>Makes sure the configured first admin exists (retrying while the cluster comes up).</summary>
    private sealed partial class BootstrapAdmin(IGrainFactory grains, SecuritySettings settings, ILogger<BootstrapAdmin> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await grains.GetGrain<IUserGrain>(settings.BootstrapAdminUser).EnsureBootstrapAdminAsync(settings.BootstrapAdminPassword!);
                    LogReady(settings.BootstrapAdminUser);
                    return;
                }
                catch (Exception ex) when (attempt < 30 && ex is not OperationCanceledException)
                {
                    LogRetry(ex, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin '{User}' is in place")]
        private partial void LogReady(string user);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap admin not set up yet (attempt {Attempt}); retrying")]
        private partial void LogRetry(Exception ex, int attempt);
    }
}
