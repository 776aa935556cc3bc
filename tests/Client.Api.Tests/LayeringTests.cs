using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using OrleansAgents.Api.Security;

namespace OrleansAgents.Tests;

/// <summary>
/// docs/architecture.md: Client.Api references Grains only to host the embedded silo. Read from the compiled API
/// assembly, so a type of Grains used anywhere in the API (a using, a fully qualified name, an extension method)
/// shows up here.
/// </summary>
public sealed class LayeringTests
{
    [Fact]
    public void ClientApi_UsesOnlyGrainsHosting_FromTheGrainsAssembly()
    {
        using var pe = new PEReader(File.OpenRead(typeof(RevocationCache).Assembly.Location));
        var md = pe.GetMetadataReader();
        var grains = md.AssemblyReferences.Single(h => md.GetString(md.GetAssemblyReference(h).Name) == "OrleansAgents.Grains");

        var used = md.TypeReferences
            .Select(md.GetTypeReference)
            .Where(t => t.ResolutionScope.Kind == HandleKind.AssemblyReference && (AssemblyReferenceHandle)t.ResolutionScope == grains)
            .Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(used);
        Assert.All(used, type => Assert.StartsWith("OrleansAgents.Grains.Hosting.", type, StringComparison.Ordinal));
    }
}
