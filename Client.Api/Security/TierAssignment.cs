using Microsoft.Extensions.Options;
using OrleansAgents.Api.RateLimiting;

namespace OrleansAgents.Api.Security;

/// <summary>
/// Which rate-limit tier a new subject (user, API key, the bootstrap admin) starts in when nobody
/// named one: <see cref="ApiRateLimitOptions.RoleTiers"/>, so an admin or an automation key is not
/// cut off by the tier meant for anonymous-ish newcomers.
/// </summary>
public static class TierAssignment
{
    /// <summary>The tier of the most privileged role (in <see cref="Roles.All"/> order) that has one, or null for the silo's default tier.</summary>
    public static string? ForRoles(ApiRateLimitOptions options, IEnumerable<string> roles)
    {
        var held = roles.ToHashSet(StringComparer.Ordinal);
        foreach (var role in Roles.All)
        {
            if (held.Contains(role) && options.RoleTiers.TryGetValue(role, out var tier))
            {
                return tier;
            }
        }

        return null;
    }

    /// <summary>Sets the bucket's tier; a tier the silos do not know is refused with rate_limit.unknown_tier before anything is created.</summary>
    public static async Task ApplyAsync(IGrainFactory grains, string bucket, string? tier)
    {
        if (tier is not null)
        {
            await grains.GetGrain<IRateLimitBucketGrain>(bucket).SetTierAsync(tier);
        }
    }

    /// <summary>Role names must be roles and tier names well-formed (whether the silos know the tier shows at first use).</summary>
    public static void AddRoleTierValidation(this IServiceCollection services) =>
        services.AddOptions<ApiRateLimitOptions>()
            .Validate(o => o.RoleTiers.All(kv => Roles.IsKnown(kv.Key) && SecurityRules.IsValidTier(kv.Value)),
                $"RateLimiting:RoleTiers maps roles ({string.Join(", ", Roles.All)}) to tier names matching {SecurityRules.TierPattern}.")
            .ValidateOnStart();
}
