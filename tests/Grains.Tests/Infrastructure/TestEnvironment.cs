using System.Net;
using System.Net.Sockets;

namespace OrleansAgents.Tests.Infrastructure;

/// <summary>
/// Where the real PostgreSQL and Redis started by scripts/test.sh live. A test that needs them
/// fails (never skips) when they are missing, so a green run always means they were used.
/// </summary>
public static class TestEnvironment
{
    public static string Postgres => Require("AGENTS_TEST_POSTGRES");

    public static string Redis => Require("AGENTS_TEST_REDIS");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through scripts/test.sh, which starts PostgreSQL and Redis.");
}
