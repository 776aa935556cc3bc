using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansAgents.Api.Hosting;

namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// The public address of this API as seen from inside the process: the console calls its own
/// /api endpoints over HTTP, so a console user goes through exactly the authentication,
/// permissions and rate limits any other client does.
/// </summary>
public sealed class ApiSelfAddress(IServer server, ApiSettings settings)
{
    private Uri? _address;

    public Uri Get() => _address ??= Resolve();

    private Uri Resolve()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var uri = new UriBuilder(address.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal));
            if (uri.Port == settings.ManagementPort)
            {
                continue;
            }

            // A wildcard listener answers on loopback too; the console never leaves the machine.
            if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
            {
                uri.Host = "127.0.0.1";
            }

            uri.Path = "/";
            return uri.Uri;
        }

        throw new InvalidOperationException("The API listens on no public address the console could call.");
    }
}
