using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace OrleansAgents.Deploy.Tests;

/// <summary>
/// One overlay rendered by <c>kubectl kustomize</c> and loaded into the Kubernetes client's model
/// types with the strict deserializer, so a misspelt field fails here rather than in a cluster.
/// </summary>
public sealed partial class RenderedManifests
{
    private RenderedManifests(string overlay, IReadOnlyList<object> objects)
    {
        Overlay = overlay;
        Objects = objects;
    }

    public string Overlay { get; }

    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Named<T>(string name)
        where T : IMetadata<V1ObjectMeta> =>
        Assert.Single(All<T>(), o => o.Metadata.Name == name);

    public static RenderedManifests Render(string overlay)
    {
        var yaml = Kustomize(Path.Combine(RepoPaths.Root, "k8s", "overlays", overlay));
        var objects = new List<object>();
        foreach (var document in DocumentSeparator().Split(yaml).Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            // The Prometheus Operator's kinds are not in the client's model; they get small types of ours.
            if (document.Contains("apiVersion: monitoring.coreos.com/v1", StringComparison.Ordinal))
            {
                objects.Add(document.Contains("kind: ServiceMonitor", StringComparison.Ordinal)
                    ? KubernetesYaml.Deserialize<ServiceMonitor>(document, strict: true)
                    : KubernetesYaml.Deserialize<PrometheusRule>(document, strict: true));
                continue;
            }

            if (document.Contains("apiVersion: cert-manager.io/v1", StringComparison.Ordinal))
            {
                objects.Add(document.Contains("kind: Certificate", StringComparison.Ordinal)
                    ? KubernetesYaml.Deserialize<Certificate>(document, strict: true)
                    : KubernetesYaml.Deserialize<Issuer>(document, strict: true));
                continue;
            }

            objects.AddRange(KubernetesYaml.LoadAllFromString(document, typeMap: null, strict: true));
        }

        return new RenderedManifests(overlay, objects);
    }

    private static string Kustomize(string directory)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "kubectl is required to render k8s/ (kubectl kustomize); install kubectl >= 1.27 and put it on PATH. " + ex.Message, ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {stderr}");
            return stdout.Result;
        }
    }

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Agents.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.Agents.sln not found above " + AppContext.BaseDirectory);
    }
}
