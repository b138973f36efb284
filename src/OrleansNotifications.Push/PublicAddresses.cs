using System.Net;
using System.Net.Sockets;

namespace OrleansNotifications.Push;

/// <summary>
/// Keeps push requests on the public internet: a subscription names its own endpoint, so without this a client could make
/// the server call into its private network (server-side request forgery).
/// </summary>
public static class PublicAddresses
{
    public static bool IsLocalOrPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal
            || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || (b.Length == 4 && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || b[0] == 127 || b[0] == 0 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)));
    }

    /// <summary>
    /// A connect callback that resolves the host itself and refuses local and private addresses, so a public name that
    /// resolves to a private address (DNS rebinding) is refused too, not only literal ones.
    /// </summary>
    public static async ValueTask<Stream> ConnectToPublicOnlyAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = addresses.Where(a => !IsLocalOrPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves only to local or private addresses; push endpoints must be public.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
