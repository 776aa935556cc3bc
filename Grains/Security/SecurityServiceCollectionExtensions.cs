using OrleansAgents.Grains.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansAgents.Grains.Security.Audit;

namespace OrleansAgents.Grains.Hosting;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>The <c>Security</c> options the grains read, checked at start; safe to call more than once.</summary>
    internal static IServiceCollection AddSecurityOptions(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<SecurityOptions>)))
        {
            services.AddValidatedOptions<SecurityOptions, SecurityOptionsValidator>(SecurityOptions.Section)
                .ValidateRules(SecurityOptionsValidator.CrossFieldFailures);
        }

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>What the security grains need in a silo: options, the password hasher and the audit store.</summary>
    internal static IServiceCollection AddSecurityGrainServices(this IServiceCollection services)
    {
        services.AddSecurityOptions();
        // The durable silo host registers the PostgreSQL store first; everyone else keeps the log in memory.
        services.TryAddSingleton<IAuditStore>(sp => new InMemoryAuditStore(sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<SecurityOptions>>((hasher, security) =>
        {
            hasher.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            hasher.IterationCount = security.Value.PasswordIterations;
        });
        services.TryAddSingleton<IPasswordHasher<UserState>, PasswordHasher<UserState>>();
        return services;
    }
}
