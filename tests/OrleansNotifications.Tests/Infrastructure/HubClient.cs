using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.TestHost;

namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>
/// A minimal client of the SignalR JSON hub protocol over the test server's WebSocket (the .NET SignalR client package is not
/// in this machine's package source; the e2e suite uses the official JS client). Records every <c>change</c>.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly WebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<JsonElement> _changes = Channel.CreateUnbounded<JsonElement>();
    private readonly Task _receiving;
    private int _nextInvocation;

    private HubClient(WebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveAsync);
    }

    public static async Task<HubClient> ConnectAsync(TestServer server, string accessToken) =>
        await StartAsync(await server.CreateWebSocketClient().ConnectAsync(HubUri(server.BaseAddress, accessToken), CancellationToken.None));

    /// <summary>Over a real socket, to a node listening on <paramref name="baseUrl"/>.</summary>
    public static async Task<HubClient> ConnectAsync(Uri baseUrl, string accessToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(HubUri(baseUrl, accessToken), CancellationToken.None);
        return await StartAsync(socket);
    }

    private static Uri HubUri(Uri baseUrl, string accessToken) =>
        new UriBuilder(baseUrl) { Scheme = "ws", Path = "/hubs/notifications", Query = $"access_token={accessToken}" }.Uri;

    private static async Task<HubClient> StartAsync(WebSocket socket)
    {
        await SendTextAsync(socket, """{"protocol":"json","version":1}""" + RecordSeparator);
        var handshake = await ReadRecordsAsync(socket);
        Assert.Equal(["{}"], handshake);
        var client = new HubClient(socket);
        // The handshake precedes the connection's registration with its grain; invocations are handled only after it.
        await client.InvokeAsync("Sync", int.MaxValue); // from beyond the end: an empty answer whatever the feed holds
        return client;
    }

    /// <summary>Invokes a hub method and returns its result; a hub error throws <see cref="HubError"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string method, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var message = JsonSerializer.Serialize(new { type = 1, invocationId = id, target = method, arguments });
        await SendTextAsync(_socket, message + RecordSeparator);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The next change received (waiting up to 5 s).</summary>
    public async Task<JsonElement> NextChangeAsync() => await _changes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    /// <summary>Whether a change arrives within <paramref name="wait"/> (for asserting that none does).</summary>
    public async Task<bool> ReceivesChangeWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _changes.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Completes when the server closed the connection (or it failed).</summary>
    public Task Closed => _receiving;

    /// <summary>Drops the connection without a close handshake, as a device losing its network would.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            // Only the output side: the receive loop owns receiving, and ends when the server's close arrives.
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                foreach (var record in await ReadRecordsAsync(_socket))
                {
                    Handle(JsonDocument.Parse(record).RootElement.Clone());
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            _changes.Writer.TryComplete();
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("The hub connection closed."));
            }
        }
    }

    private void Handle(JsonElement message)
    {
        switch (message.GetProperty("type").GetInt32())
        {
            case 1 when message.GetProperty("target").GetString() == "change":
                _changes.Writer.TryWrite(message.GetProperty("arguments")[0]);
                break;
            case 3 when _pending.TryRemove(message.GetProperty("invocationId").GetString()!, out var completion):
                if (message.TryGetProperty("error", out var error))
                {
                    completion.TrySetException(new HubError(error.GetString()!));
                }
                else
                {
                    completion.TrySetResult(message.TryGetProperty("result", out var result) ? result : default);
                }

                break;
        }
    }

    private static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<List<string>> ReadRecordsAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed");
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return [.. Encoding.UTF8.GetString(message.ToArray()).Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries)];
    }
}

/// <summary>A hub method's error as the client receives it.</summary>
public sealed class HubError(string message) : Exception(message);
