using OrleansAgents.Security;

namespace OrleansAgents.Tests.Security;

/// <summary>docs/security.md shows the role table; it must say what Roles.Grants does.</summary>
public sealed class PermissionTableDocTests
{
    private static string SecurityDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "security.md");
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException("docs/security.md not found above the test binaries.");
    }

    [Fact]
    public void TheDocumentedTable_IsTheCodesTable()
    {
        var lines = SecurityDoc().Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("| permission |", StringComparison.Ordinal));
        Assert.True(header >= 0, "no permission table in docs/security.md");
        var roles = lines[header].Split('|', StringSplitOptions.TrimEntries)[2..^1];
        Assert.Equal(Roles.All, roles);

        var documented = new Dictionary<string, HashSet<string>>();
        foreach (var row in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries)[1..^1];
            var permission = cells[0].Trim('`');
            documented[permission] = [.. roles.Where((_, i) => cells[i + 1] == "✓")];
        }

        Assert.Equal(Permissions.All.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var permission in Permissions.All)
        {
            Assert.True(
                Roles.All.Where(r => Roles.Grants[r].Contains(permission)).ToHashSet().SetEquals(documented[permission]),
                $"{permission}: docs say {string.Join(",", documented[permission])}");
        }
    }
}
