using System.Net;
using System.Net.Sockets;

namespace Crawler.Worker.Fetching;

/// <summary>The guard refused to connect: the host resolves to an address the crawler may not reach.</summary>
public sealed class BlockedAddressException : Exception
{
    public BlockedAddressException()
    {
    }

    public BlockedAddressException(string message)
        : base(message)
    {
    }

    public BlockedAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// SSRF guard. It runs where the socket is opened (SocketsHttpHandler.ConnectCallback), so it sees the addresses
/// actually connected to: after every redirect, and after a DNS answer that changed since an earlier check.
/// Private, loopback, link-local, carrier-grade NAT, multicast and reserved ranges are refused unless
/// <see cref="FetchOptions.AllowPrivateNetworks"/> is set or the address is in <see cref="FetchOptions.PrivateNetworkAllowList"/>.
/// </summary>
public sealed class NetworkGuard
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
        IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("2001:db8::/32"),
    ];

    private readonly bool _allowPrivate;
    private readonly IPNetwork[] _allowList;

    public NetworkGuard(FetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowPrivate = options.AllowPrivateNetworks;
        _allowList = options.PrivateNetworkAllowList.Select(ParseNetwork).ToArray();
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !NonPublic.Any(n => n.Contains(address));
    }

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _allowPrivate || IsPublic(address) || _allowList.Any(n => n.Contains(address));
    }

    /// <summary>Resolves the host, refuses if any answer is off limits (so a mixed answer cannot be raced), then connects.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var blocked = addresses.FirstOrDefault(a => !IsAllowed(a));
        if (blocked is not null)
        {
            throw new BlockedAddressException(
                $"{endpoint.Host} resolves to non-public address {blocked}; refused (set Crawler:Fetch:AllowPrivateNetworks=true or list it in Crawler:Fetch:PrivateNetworkAllowList to allow)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsBlocked(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is BlockedAddressException)
            {
                return true;
            }
        }

        return false;
    }

    private static IPNetwork ParseNetwork(string entry) =>
        entry.Contains('/', StringComparison.Ordinal) ? IPNetwork.Parse(entry) : new IPNetwork(IPAddress.Parse(entry), IPAddress.Parse(entry).AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
}
