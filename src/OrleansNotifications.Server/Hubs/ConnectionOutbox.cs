using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Hubs;

/// <summary>One live change for a connection: its sequence, and the change-feed entry as JSON.</summary>
internal readonly record struct LiveChange(long Sequence, HubJson Entry);

/// <summary>
/// The changes waiting for one connection, sent one after another by a single drain on the thread pool: SignalR does not
/// promise the order of concurrent sends to one connection, and a grain must never wait for a client. An idle outbox holds no
/// loop, channel or pending task, only this object and an empty queue: a node keeps tens of thousands of them. A client that
/// falls <see cref="Capacity"/> changes behind is disconnected; it reconnects and catches up with <c>Sync</c>. So is one whose
/// live changes skip a sequence (a relay from another node failed, or the user's grain moved): the client would otherwise
/// never learn that it missed something.
/// </summary>
internal sealed class ConnectionOutbox : IThreadPoolWorkItem
{
    public const int Capacity = 10_000;

    private readonly Queue<HubJson> _pending = new();
    private readonly ISingleClientProxy _client;
    private readonly HubCallerContext _connection;
    private readonly PacedKeepAlive.KeepAlive? _keepAlive;
    private readonly Lock _gate = new();
    private long? _lastSequence; // null until the registration point or the first change is known
    private bool _draining; // a drain is queued or running; only it dequeues
    private bool _closed;

    public ConnectionOutbox(ISingleClientProxy client, HubCallerContext connection, UserKey user, PacedKeepAlive.KeepAlive? keepAlive)
    {
        _client = client;
        _connection = connection;
        _keepAlive = keepAlive;
        User = user;
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
            if (_closed)
            {
                return false;
            }

            foreach (var change in changes)
            {
                var gap = _lastSequence is { } last && change.Sequence != last + 1;
                if (gap || _pending.Count >= Capacity)
                {
                    Close();
                    return false;
                }

                _pending.Enqueue(change.Entry);
                _lastSequence = change.Sequence;
            }

            if (_draining || _pending.Count == 0)
            {
                return true;
            }

            _draining = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _pending.Clear();
        }

        _connection.Abort();
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private async Task DrainAsync()
    {
        try
        {
            while (Next() is { } change)
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

    /// <summary>The next change to send, or null, and then the drain has ended: the next queued change starts another.</summary>
    private HubJson? Next()
    {
        lock (_gate)
        {
            if (!_closed && _pending.TryDequeue(out var change))
            {
                return change;
            }

            if (_pending.Capacity > 16)
            {
                _pending.TrimExcess(); // a burst's backlog would otherwise stay allocated for the connection's life
            }

            _draining = false;
            return null;
        }
    }
}
