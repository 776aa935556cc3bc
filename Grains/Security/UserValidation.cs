using OrleansAgents.Errors;

namespace OrleansAgents.Grains.Security;

internal static class UserValidation
{
    public static void RequireValidName(string name)
    {
        if (!SecurityRules.IsValidUserName(name))
        {
            throw new DomainException(ErrorCodes.UserInvalidName,
                $"User names match {SecurityRules.UserNamePattern}.");
        }
    }

    /// <summary>Length bounds, and not the user name itself. The text of the password never appears in a message.</summary>
    public static void RequireAcceptablePassword(string userName, string? password)
    {
        if (password is null || password.Length < SecurityRules.PasswordMinLength || password.Length > SecurityRules.PasswordMaxLength)
        {
            throw new DomainException(ErrorCodes.UserWeakPassword,
                $"Passwords have {SecurityRules.PasswordMinLength} to {SecurityRules.PasswordMaxLength} characters.");
        }

        if (string.Equals(password, userName, StringComparison.OrdinalIgnoreCase))
        {
            throw new DomainException(ErrorCodes.UserWeakPassword, "The password must not be the user name.");
        }
    }

    /// <summary>At least one role, every one known; returns them without duplicates, in the given order.</summary>
    public static List<string> Roles(IReadOnlyList<string>? roles, string code)
    {
        if (roles is null || roles.Count == 0)
        {
            throw new DomainException(code, "At least one role is required.");
        }

        foreach (var role in roles)
        {
            if (role is null || !OrleansAgents.Security.Roles.IsKnown(role))
            {
                throw new DomainException(code,
                    $"Unknown role '{role}'; roles are {string.Join(", ", OrleansAgents.Security.Roles.All)}.");
            }
        }

        return roles.Distinct(StringComparer.Ordinal).ToList();
    }

    public static string? Tier(string? tier)
    {
        if (tier is not null && !SecurityRules.IsValidTier(tier))
        {
            throw new DomainException(ErrorCodes.UserInvalidTier, $"Tier names match {SecurityRules.TierPattern}.");
        }

        return tier;
    }

    public static string? DisplayName(string? displayName, string code)
    {
        var trimmed = displayName?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > SecurityRules.DisplayNameMaxLength || trimmed.Any(char.IsControl))
        {
            throw new DomainException(code,
                $"Names have at most {SecurityRules.DisplayNameMaxLength} characters and no control characters.");
        }

        return trimmed;
    }
}
