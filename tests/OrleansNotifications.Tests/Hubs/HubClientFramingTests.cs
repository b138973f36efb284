using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using OrleansNotifications.Client;

namespace OrleansNotifications.Tests.Hubs;

/// <summary>
/// The client's reading of the SignalR JSON framing in the ways the protocol allows but the real hub seldom produces: several
/// records in one WebSocket message, a record that ends in a later message, a record larger than the client's first buffer.
/// The peer is a WebSocket on a real loopback socket that sends exactly these bytes.
/// </summary>
public sealed class HubClientFramingTests
{
    private const char Separator = '\u001e';

    [Fact]
    public async Task RecordsSharingAMessage_OrSplitAcrossMessages_AreEachHandledOnce()
    {
        var (client, peer) = await ConnectedPairAsync();
        var large = new string('x', 10_000); // beyond the client's first 4 KiB buffer
        var connecting = HubConnection.StartAsync(client);

        Assert.Equal("{\"protocol\":\"json\",\"version\":1}" + Separator, await ReceiveTextAsync(peer));
        await SendTextAsync(peer, "{}" + Separator + Change(1, "a") + Separator + Change(2, large)[..40]);
        await SendTextAsync(peer, Change(2, large)[40..] + Separator + "{\"type\":6}" + Separator);

        var invocation = await ReceiveTextAsync(peer);
        Assert.Contains("\"target\":\"Sync\"", invocation, StringComparison.Ordinal);
        await SendTextAsync(peer, "{\"type\":3,\"invocationId\":\"1\",\"result\":2}" + Separator + Change(3, "b") + Separator);
        await using var connection = await connecting;

        var changes = new[] { await connection.NextChangeAsync(), await connection.NextChangeAsync(), await connection.NextChangeAsync() };
        Assert.Equal([1, 2, 3], changes.Select(c => c.GetProperty("sequence").GetInt64()));
        Assert.Equal(large, changes[1].GetProperty("title").GetString());
        Assert.False(await connection.ReceivesChangeWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task AHandshakeError_IsThrown()
    {
        var (client, peer) = await ConnectedPairAsync();
        var connecting = HubConnection.StartAsync(client);

        await ReceiveTextAsync(peer);
        await SendTextAsync(peer, "{\"error\":\"Requested protocol 'json' is not available.\"}" + Separator);

        var error = await Assert.ThrowsAsync<HubException>(() => connecting);
        Assert.Contains("Requested protocol 'json' is not available.", error.Message, StringComparison.Ordinal);
        peer.Dispose();
    }

    private static string Change(long sequence, string title) =>
        $$"""{"type":1,"target":"change","arguments":[{"sequence":{{sequence}},"title":"{{title}}"}]}""";

    private static async Task<(WebSocket Client, WebSocket Peer)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var caller = new TcpClient();
        await caller.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        return (WebSocket.CreateFromStream(caller.GetStream(), new WebSocketCreationOptions { IsServer = false }),
            WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true }));
    }

    private static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }
}
