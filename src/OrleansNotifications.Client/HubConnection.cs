using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OrleansNotifications.Client;

/// <summary>
/// One device's connection to <c>/hubs/notifications</c>, speaking the SignalR JSON hub protocol over a WebSocket: the
/// handshake, invocations with their completions, the server's <c>change</c> messages, and keep-alive pings (the server
/// drops a client silent for 30 s). Lean enough for tens of thousands in one process: one 4 KiB receive buffer each, grown
/// only for a larger message.
/// </summary>
public sealed class HubConnection : IAsyncDisposable
{
    public const string Path = "/hubs/notifications";
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    private readonly WebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<JsonElement>? _changes;
    private readonly Action<JsonElement>? _onChange;
    private readonly SemaphoreSlim _sending = new(1);
    private readonly Task _receiving;
    private readonly Timer _pinger;
    private int _nextInvocation;
    private long _pingsReceived;

    private HubConnection(WebSocket socket, RecordBuffer received, Action<JsonElement>? onChange)
    {
        _socket = socket;
        _onChange = onChange;
        _changes = onChange is null ? Channel.CreateUnbounded<JsonElement>() : null;
        _pinger = new Timer(_ => _ = SendAsync(Ping).ContinueWith(t => _ = t.Exception, TaskScheduler.Default), null, PingInterval, PingInterval);
        _receiving = Task.Run(() => ReceiveAsync(received));
    }

    /// <summary>
    /// Connects with a user token (in <c>access_token</c>, as browsers do), shakes hands and waits until the server has
    /// registered the connection. Changes go to <paramref name="onChange"/> (on the receive loop: keep it short; the element is
    /// valid only during the call, so clone what you keep), or else
    /// to <see cref="NextChangeAsync"/>. <paramref name="invoker"/> chooses the transport: an HTTP/2 one (h2c) multiplexes
    /// many connections over one TCP connection (RFC 8441).
    /// </summary>
    public static async Task<HubConnection> ConnectAsync(
        Uri baseUrl, string accessToken, Action<JsonElement>? onChange = null, HttpMessageInvoker? invoker = null, bool http2 = false,
        CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        if (http2)
        {
            socket.Options.HttpVersion = HttpVersion.Version20;
            socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        try
        {
            await socket.ConnectAsync(HubUri(baseUrl, accessToken), invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await StartAsync(socket, onChange);
    }

    public static Uri HubUri(Uri baseUrl, string accessToken) =>
        new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws", Path = Path, Query = $"access_token={Uri.EscapeDataString(accessToken)}" }.Uri;

    /// <summary>
    /// Speaks the hub protocol over an already connected WebSocket (e.g. a test server's). As with
    /// <see cref="ConnectAsync"/>, a change handed to <paramref name="onChange"/> is valid only during the call.
    /// </summary>
    public static async Task<HubConnection> StartAsync(WebSocket socket, Action<JsonElement>? onChange = null)
    {
        var received = new RecordBuffer();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
            JsonDocument? answer;
            while (!received.TryParseNext(out answer))
            {
                await received.ReadMessageAsync(socket);
            }

            // The server may send its first messages in the same WebSocket message: they stay in the buffer for the loop.
            using (answer)
            {
                if (answer.RootElement.TryGetProperty("error", out var error))
                {
                    throw new HubException($"The hub refused the handshake: {error.GetString()}");
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new HubConnection(socket, received, onChange);
        try
        {
            // The handshake precedes the connection's registration with its user's grain; invocations are handled only
            // after it, so the first answer is the barrier after which every change reaches this connection.
            await connection.InvokeAsync("Sync", long.MaxValue);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    /// <summary>Invokes a hub method and returns its result; a hub error throws <see cref="HubException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string method, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocation).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            var message = JsonSerializer.SerializeToUtf8Bytes(new Invocation(1, id, method, arguments), HubJsonContext.Default.Invocation);
            Array.Resize(ref message, message.Length + 1);
            message[^1] = RecordSeparator;
            await SendAsync(message);
            return await completion.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Keep-alive pings received from the server.</summary>
    public long PingsReceived => Interlocked.Read(ref _pingsReceived);

    /// <summary>The next change received, when no handler was given (waiting up to 15 s: only a failing test waits that long).</summary>
    public async Task<JsonElement> NextChangeAsync() =>
        await (_changes ?? throw new InvalidOperationException("Changes go to the handler given at connect."))
            .Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

    /// <summary>Whether a change arrives within <paramref name="wait"/> (for asserting that none does).</summary>
    public async Task<bool> ReceivesChangeWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _changes!.Reader.WaitToReadAsync(timeout.Token);
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
        await _pinger.DisposeAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                // Only the output side: the receive loop owns receiving, and ends when the server's close arrives.
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException)
            {
            }
        }

        await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    private async Task SendAsync(ReadOnlyMemory<byte> message)
    {
        await _sending.WaitAsync(); // a WebSocket allows one send at a time
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveAsync(RecordBuffer received)
    {
        try
        {
            while (true)
            {
                while (received.TryParseNext(out var record))
                {
                    using (record)
                    {
                        Handle(record.RootElement);
                    }
                }

                if (_socket.State != WebSocketState.Open)
                {
                    break;
                }

                await received.ReadMessageAsync(_socket);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _changes?.Writer.TryComplete();
            await _pinger.DisposeAsync();
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
            case 1 when message.GetProperty("target").ValueEquals("change"):
                var change = message.GetProperty("arguments")[0];
                if (_onChange is not null)
                {
                    _onChange(change);
                }
                else
                {
                    _changes!.Writer.TryWrite(change.Clone());
                }

                break;
            case 6:
                Interlocked.Increment(ref _pingsReceived);
                break;
            case 3 when _pending.TryRemove(message.GetProperty("invocationId").GetString()!, out var completion):
                if (message.TryGetProperty("error", out var error))
                {
                    completion.TrySetException(new HubException(error.GetString()!));
                }
                else
                {
                    completion.TrySetResult(message.TryGetProperty("result", out var result) ? result.Clone() : default);
                }

                break;
            case 7:
                _ = _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                    .ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                break;
        }
    }

    /// <summary>
    /// What the socket delivered and the hub has not handled yet. Records end with 0x1e; a WebSocket message may hold several,
    /// and a record may in principle end in a later message, so an unfinished tail is kept. One 4 KiB buffer per
    /// connection, grown only for a larger message. Nothing is allocated per message but the parsed record (its metadata is
    /// pooled): a load generator holding tens of thousands of these would otherwise pause for garbage collection often
    /// enough to show in the latency it measures.
    /// </summary>
    private sealed class RecordBuffer
    {
        private byte[] _bytes = new byte[4096];
        private int _start; // where the first record not yet parsed begins
        private int _length;

        /// <summary>
        /// Appends one whole WebSocket message. The records parsed before must be disposed of: their bytes are reused.
        /// Pooled, as the receive loop awaits it once per message.
        /// </summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public async ValueTask ReadMessageAsync(WebSocket socket)
        {
            Buffer.BlockCopy(_bytes, _start, _bytes, 0, _length - _start);
            (_length, _start) = (_length - _start, 0);
            while (true)
            {
                if (_length == _bytes.Length)
                {
                    Array.Resize(ref _bytes, _bytes.Length * 2);
                }

                var result = await socket.ReceiveAsync(_bytes.AsMemory(_length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException("The server closed the connection.");
                }

                _length += result.Count;
                if (result.EndOfMessage)
                {
                    return;
                }
            }
        }

        /// <summary>Parses the next complete record held (without its separator), in place: valid until the next read.</summary>
        public bool TryParseNext([NotNullWhen(true)] out JsonDocument? record)
        {
            var end = Array.IndexOf(_bytes, RecordSeparator, _start, _length - _start);
            if (end < 0)
            {
                record = null;
                return false;
            }

            record = JsonDocument.Parse(_bytes.AsMemory(_start, end - _start));
            _start = end + 1;
            return true;
        }
    }
}

/// <summary>A hub method's error as the client receives it (its message starts with the error code, e.g. <c>not_found:</c>).</summary>
public sealed class HubException(string message) : Exception(message);

internal sealed record Invocation(int Type, string InvocationId, string Target, object?[] Arguments);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Invocation))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class HubJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
