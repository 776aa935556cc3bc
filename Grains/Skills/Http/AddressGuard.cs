using System.Net;
using System.Net.Sockets;

namespace OrleansAgents.Grains.Skills.Http;

/// <summary>
/// Where http.request may connect, decided on the addresses a name resolves to at connect time
/// (a <see cref="SocketsHttpHandler.ConnectCallback"/>), not on the name: an allow-listed name can
/// point anywhere, and change between the check and the connect (DNS rebinding). Loopback,
/// link-local, private, CGNAT, unspecified, multicast and cloud metadata addresses are refused
/// unless configuration names them (<c>Skills:Http:AllowedAddresses</c>, or an IP literal host in
/// <c>Skills:Http:AllowedUrls</c>).
/// </summary>
public sealed class AddressGuard
{
    /// <summary>Networks no skill should reach by default: the host itself, the cluster, the cloud's metadata service.</summary>
    private static readonly IPNetwork[] Internal =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"; 0.0.0.0 reaches the local host
        IPNetwork.Parse("10.0.0.0/8"),       // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),    // CGNAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, incl. 169.254.169.254 (metadata)
        IPNetwork.Parse("172.16.0.0/12"),    // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("fc00::/7"),         // unique local (ULA), incl. fd00:ec2::254 (metadata)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly IPNetwork[] _allowed;

    /// <summary>IP literal hosts of AllowedUrls: reachable when the URL names them, not through a name resolving to them.</summary>
    private readonly IPNetwork[] _literals;

    public AddressGuard(HttpSkillOptions options)
    {
        var allowed = new List<IPNetwork>();
        foreach (var entry in options.AllowedAddresses)
        {
            if (TryParseNetwork(entry, out var network))
            {
                allowed.Add(network);
            }
        }

        _allowed = [.. allowed];

        // An allow-listed URL written with an IP literal is an explicit choice of that address, as
        // written: `localhost` resolving to it is still refused.
        var literals = new List<IPNetwork>();
        foreach (var prefix in options.AllowedUrls)
        {
            if (Uri.TryCreate(prefix, UriKind.Absolute, out var uri) && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
            {
                var address = Canonical(literal);
                literals.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
        }

        _literals = [.. literals];
    }

    /// <summary>An address (<c>10.1.2.3</c>) or a CIDR (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            address = Canonical(address);
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    /// <summary>True when the skill may connect to <paramref name="address"/>; <paramref name="literalHost"/>: the URL names the address itself.</summary>
    public bool Permits(IPAddress address, bool literalHost = false)
    {
        address = Canonical(address);
        return _allowed.Any(n => n.Contains(address)) || (literalHost && _literals.Any(n => n.Contains(address))) || !IsInternal(address);
    }

    public static bool IsInternal(IPAddress address)
    {
        address = Canonical(address);
        return Internal.Any(n => n.Contains(address));
    }

    /// <summary>IPv4-mapped (<c>::ffff:a.b.c.d</c>) and NAT64 (<c>64:ff9b::a.b.c.d</c>) addresses are judged as the IPv4 address they reach.</summary>
    private static IPAddress Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
        {
            return new IPAddress(address.GetAddressBytes()[12..]);
        }

        return address;
    }

    /// <summary>
    /// A connect callback that resolves the host itself, keeps only permitted addresses and connects
    /// to the first that answers; refuses with <see cref="AddressRefusedException"/> when none is permitted.
    /// </summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(
        Func<string, CancellationToken, Task<IPAddress[]>> resolve) => async (context, cancellationToken) =>
    {
        var host = context.DnsEndPoint.Host;
        var isLiteral = IPAddress.TryParse(host.Trim('[', ']'), out var literal);
        var addresses = isLiteral ? [literal!] : await resolve(host, cancellationToken);
        var permitted = addresses.Where(a => Permits(a, isLiteral)).ToArray();
        if (permitted.Length == 0)
        {
            throw new AddressRefusedException(host, addresses.Length > 0);
        }

        Exception? last = null;
        foreach (var address in permitted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    };
}

/// <summary>The host resolved only to addresses http.request may not reach (or to none).</summary>
public sealed class AddressRefusedException(string host, bool resolved)
    : Exception(resolved
        ? $"{host} resolves only to internal addresses (loopback, private, link-local or metadata), which {HttpSkillOptions.Section}:AllowedAddresses does not allow."
        : $"{host} resolves to no address.")
{
    public string Host { get; } = host;
}
