using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansAgents.Bench;

/// <summary>
/// What every bench needs around its measurement: command-line options, a free loopback port and
/// nearest-rank percentiles. Linked into each bench project (bench/Shared), so the benches agree
/// on what "p99" means.
/// </summary>
internal static class BenchArgs
{
    /// <summary>The text after <paramref name="name"/> on the command line, or null.</summary>
    public static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public static string ArgText(string[] args, string name, string fallback) => Text(args, name) ?? fallback;

    public static int Arg(string[] args, string name, int fallback) =>
        Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A port nothing listens on right now, on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Nearest-rank percentile of an ascending array (<paramref name="p"/> in 0..1); NaN when empty.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
