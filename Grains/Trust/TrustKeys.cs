namespace OrleansAgents.Grains.Trust;

/// <summary>Trust grain keys are <c>{domain}/{rest}</c>; a domain never contains '/'.</summary>
internal static class TrustKeys
{
    public static (string Domain, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }
}
