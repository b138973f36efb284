using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using OrleansNotifications.Client;
using OrleansNotifications.Tests.Infrastructure;

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
    public async Task RecordsSharingAMessage_OrSplitAcrossMessages_AreEachQueuedOnce()
    {
        var (client, peer) = await ConnectedPairAsync();
        var connecting = HubConnection.StartAsync(client);
        await PlayScriptAsync(peer);
        await using var connection = await connecting;

        var changes = new[] { await connection.NextChangeAsync(), await connection.NextChangeAsync(), await connection.NextChangeAsync() };
        Assert.Equal([(1, "a"), (2, Large), (3, "b")], changes.Select(c => (c.GetProperty("sequence").GetInt64(), c.GetProperty("title").GetString())));
        Assert.False(await connection.ReceivesChangeWithinAsync(TimeSpan.FromMilliseconds(200)));
        peer.Abort();
    }

    [Fact]
    public async Task RecordsSharingAMessage_OrSplitAcrossMessages_ReachTheHandlerReadable()
    {
        // The handler's element lives in the connection's buffer, which the next read reuses: it must be read in the call.
        var (client, peer) = await ConnectedPairAsync();
        var handled = new List<(long, string?)>();
        var connecting = HubConnection.StartAsync(client, change =>
        {
            lock (handled)
            {
                handled.Add((change.GetProperty("sequence").GetInt64(), change.GetProperty("title").GetString()));
            }
        });
        await PlayScriptAsync(peer);
        await using var connection = await connecting;

        await Eventually.HoldsAsync(() => { lock (handled) { return handled.Count == 3; } }, "timed out", TimeSpan.FromSeconds(5));
        Assert.Equal([(1, "a"), (2, Large), (3, "b")], handled);
        peer.Abort();
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
        peer.Abort();
    }

    private static readonly string Large = new('x', 10_000); // beyond the client's first 4 KiB buffer

    /// <summary>
    /// The hub's side of a connection: the handshake answer and a first change in one message, a second change split over
    /// two messages (and longer than the client's buffer), a ping, then the answer to the client's Sync with a third change.
    /// </summary>
    private static async Task PlayScriptAsync(WebSocket peer)
    {
        Assert.Equal("{\"protocol\":\"json\",\"version\":1}" + Separator, await ReceiveTextAsync(peer));
        await SendTextAsync(peer, "{}" + Separator + Change(1, "a") + Separator + Change(2, Large)[..40]);
        await SendTextAsync(peer, Change(2, Large)[40..] + Separator + "{\"type\":6}" + Separator);

        var invocation = await ReceiveTextAsync(peer);
        Assert.Contains("\"target\":\"Sync\"", invocation, StringComparison.Ordinal);
        Assert.Contains("\"invocationId\":\"1\"", invocation, StringComparison.Ordinal);
        await SendTextAsync(peer, "{\"type\":3,\"invocationId\":\"1\",\"result\":2}" + Separator + Change(3, "b") + Separator);
    }

    private static string Change(long sequence, string title) =>
        $$"""{"type":1,"target":"change","arguments":[{"sequence":{{sequence}},"title":"{{title}}"}]}""";

    private static async Task<(WebSocket Client, WebSocket Peer)> ConnectedPairAsync()
    {
        // Each WebSocket owns its stream, and each stream its socket: aborting or disposing the WebSocket closes the socket.
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
