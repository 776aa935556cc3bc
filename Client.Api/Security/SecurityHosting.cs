using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

public static partial class SecurityHosting
{
    public const string DefaultScheme = "BearerOrApiKey";

    /// <summary>The request body limit of every route that does not set its own.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

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
                        var revocations = context.HttpContext.RequestServices.GetRequiredService<RevocationCache>();
                        if (jti is null || revocations.IsRevoked(jti))
                        {
                            context.Fail("The token was revoked.");
                        }
                        else if (context.Principal?.FindFirst(AgentClaims.SecurityStamp)?.Value is { } stamp
                            && long.TryParse(stamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
                            && context.Principal.FindFirst(AgentClaims.Subject)?.Value is { } subject
                            && revocations.IsRevoked(SecurityRules.StampTokenId(subject, value)))
                        {
                            // The user's password, roles or enabled state changed, or its sessions were revoked, after this token was issued.
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
            WorkerScope.AddPolicies(o);
            foreach (var permission in OrleansAgents.Security.Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(context =>
                    OrleansAgents.Security.Roles.PermissionsOf(context.User.FindAll(AgentClaims.Roles).Select(c => c.Value)).Contains(permission)));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddHostedService<BootstrapAdmin>();
        services.AddRoleTierValidation();
        services.AddAgentsForwardedHeaders(builder.Configuration);

        // Routes that take more say so (RequestSizeLimit); everything else gets 1 MB, not Kestrel's 30 MB.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = DefaultMaxBodyBytes);
        return builder;
    }

    /// <summary>Makes sure the configured first admin exists (retrying while the cluster comes up).</summary>
    private sealed partial class BootstrapAdmin(
        IGrainFactory grains, SecuritySettings settings, IOptions<RateLimiting.ApiRateLimitOptions> rateLimits, ILogger<BootstrapAdmin> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var admin = await grains.GetGrain<IUserGrain>(settings.BootstrapAdminUser).EnsureBootstrapAdminAsync(settings.BootstrapAdminPassword!, settings.BootstrapAdminRepair);
                    await GiveTierAsync(admin);
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

        /// <summary>
        /// The admin follows the README walk-through right after start: in the default tier it
        /// would be throttled within a minute. Only an admin without a tier of its own is moved,
        /// so a tier an operator chose survives restarts.
        /// </summary>
        private async Task GiveTierAsync(UserView admin)
        {
            if (admin.Tier is not null || TierAssignment.ForRoles(rateLimits.Value, admin.Roles) is not { } tier)
            {
                return;
            }

            try
            {
                await TierAssignment.ApplyAsync(grains, admin.Name, tier);
                await grains.GetGrain<IUserGrain>(admin.Name).UpdateAsync(new UserSpec(null, admin.Roles, tier, admin.Disabled, admin.DisplayName));
                LogTier(admin.Name, tier);
            }
            catch (DomainException ex)
            {
                // A RoleTiers entry naming a tier the silos lack: the admin still works, in the default tier.
                LogTierRefused(admin.Name, tier, ex.Message);
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin '{User}' put in rate-limit tier {Tier}")]
        private partial void LogTier(string user, string tier);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap admin '{User}' could not be put in tier {Tier}: {Reason}")]
        private partial void LogTierRefused(string user, string tier, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin '{User}' is in place")]
        private partial void LogReady(string user);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap admin not set up yet (attempt {Attempt}); retrying")]
        private partial void LogRetry(Exception ex, int attempt);
    }
}
