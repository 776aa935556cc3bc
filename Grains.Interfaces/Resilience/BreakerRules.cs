using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrleansAgents.Resilience;

public static partial class BreakerRules
{
    public const string NamePattern = "^[a-z0-9][a-z0-9-_.:]{0,127}$";

    public static bool IsValidName([NotNullWhen(true)] string? name) => name is not null && NameRegex().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-_.:]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
