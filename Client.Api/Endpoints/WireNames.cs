using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansAgents.Api.Endpoints;

/// <summary>
/// An enum's values as the API writes them (<see cref="JsonStringEnumMemberNameAttribute"/>, else
/// snake_case like the API's JSON options), so query filters accept, and their "must be one of …"
/// problems list, exactly what responses contain, and a new enum member shows up in both by itself.
/// </summary>
public static class WireNames
{
    /// <summary>The names in declaration order, comma separated: "idle, busy, unhealthy, retired".</summary>
    public static string List<T>()
        where T : struct, Enum => Cache<T>.List;

    /// <summary>The value whose wire name is exactly <paramref name="name"/>.</summary>
    public static T? Parse<T>(string name)
        where T : struct, Enum => Cache<T>.ByName.TryGetValue(name, out var value) ? value : null;

    public static string Of<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        return typeof(T).GetField(name)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
    }

    private static class Cache<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<string, T> ByName = Enum.GetValues<T>().ToFrozenDictionary(Of, v => v, StringComparer.Ordinal);

        public static readonly string List = string.Join(", ", Enum.GetValues<T>().Select(Of));
    }
}
