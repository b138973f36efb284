using System.Net;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>
/// A request from this node to another, at the address the other advertises in its lease row: with the cluster secret and
/// this node's name, over the protocol the address names. <c>h2c://host:port</c> is a node's internal endpoint, HTTP/2 over
/// cleartext with prior knowledge (Kestrel offers h2c only on an HTTP/2-only endpoint); <c>http://</c> is a node without one,
/// spoken to in HTTP/1.1 (asking for HTTP/2 "or lower" there only costs time: measured ~3 ms a call); <c>https://</c>
/// negotiates HTTP/2 with ALPN.
/// </summary>
public static class NodeRequest
{
    public const string InternalScheme = "h2c";

    public static HttpRequestMessage Create(HttpMethod method, string nodeAddress, string path, IClusterSecret secret, string localNode)
    {
        var h2c = nodeAddress.StartsWith(InternalScheme + "://", StringComparison.OrdinalIgnoreCase);
        var address = h2c ? "http" + nodeAddress[InternalScheme.Length..] : nodeAddress;
        var https = address.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        var request = new HttpRequestMessage(method, address.TrimEnd('/') + path)
        {
            Version = h2c || https ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = https ? HttpVersionPolicy.RequestVersionOrLower : HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add(RemoteGrainCallInvoker.SecretHeader, secret.Value);
        request.Headers.Add(RemoteGrainCallInvoker.NodeHeader, localNode);
        return request;
    }
}
