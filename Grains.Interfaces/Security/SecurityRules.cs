using System.Text.RegularExpressions;

namespace OrleansAgents.Security;

public static partial class SecurityRules
{
    public const string UserNamePattern = "^[a-z0-9][a-z0-9._-]{1,63}$";
    public const int PasswordMinLength = 12;
    public const int PasswordMaxLength = 256;

    /// <summary>API keys look like <c>oak_{id}_{secret}</c>; the id is 16 lowercase base32 characters.</summary>
    public const string ApiKeyPrefix = "oak_";

    public static bool IsValidUserName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? name) => name is not null && UserNameRegex().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserNameRegex();
}
