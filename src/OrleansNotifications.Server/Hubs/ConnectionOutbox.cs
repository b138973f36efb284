using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Hubs;

/// <summary>One live change for a connection: its sequence, and the change-feed entry as JSON.</summary>
internal readonly record struct LiveChange(long Sequence, HubJson Entry);

/// <summary>
/// The changes waiting for one connection, sent one after another by a single loop: SignalR does not promise the order of
/// concurrent sends to one connection, and a grain must never wait for a client. A client that falls
/// <see cref="Capacity"/> changes behind is disconnected; it reconnects and catches up with <c>Sync</c>. So is one whose
/// live changes skip a sequence (a relay from another node failed, or the user's grain moved): the client would otherwise
/// never learn that it missed something.
/// </summary>
internal sealed class ConnectionOutbox
{
    public const int Capacity = 10_000;

    private readonly Channel<HubJson> _queue = Channel.CreateBounded<HubJson>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    private readonly ISingleClientProxy _client;
    private readonly HubCallerContext _connection;
    private readonly PacedKeepAlive.KeepAlive? _keepAlive;
    private readonly Lock _gate = new();
    private long? _lastSequence; // null until the registration point or the first change is known

    public ConnectionOutbox(ISingleClientProxy client, HubCallerContext connection, UserKey user, PacedKeepAlive.KeepAlive? keepAlive)
    {
        _client = client;
        _connection = connection;
        _keepAlive = keepAlive;
        User = user;
        _ = Task.Run(DrainAsync);
    }

    public UserKey User { get; }

    /// <summary>
    /// The sequence at which the user's grain registered this connection: the next change must follow it, so even a first
    /// change that skips ahead (an earlier relay failed) is caught. Changes that arrived before this call already anchor it.
    /// </summary>
    public void Registered(long sequence)
    {
        lock (_gate)
        {
            _lastSequence ??= sequence;
        }
    }

    /// <summary>Queues the changes in order; false if the connection is closed or fell too far behind (and is now closed).</summary>
    public bool TryQueue(IReadOnlyList<LiveChange> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                var gap = _lastSequence is { } last && change.Sequence != last + 1;
                if (gap || !_queue.Writer.TryWrite(change.Entry))
                {
                    Close();
                    return false;
                }

                _lastSequence = change.Sequence;
            }

            return true;
        }
    }

    public void Close()
    {
        _queue.Writer.TryComplete();
        _connection.Abort();
    }

    private async Task DrainAsync()
    {
        try
        {
            await foreach (var change in _queue.Reader.ReadAllAsync())
            {
                await _client.SendAsync("change", change);
                _keepAlive?.Sent();
            }
        }
        catch (Exception)
        {
            // The transport failed under us: drop the connection rather than let it miss a change silently.
            Close();
        }
    }
}
