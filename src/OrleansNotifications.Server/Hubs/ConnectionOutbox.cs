using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// The changes waiting for one connection, sent one after another by a single loop: SignalR does not promise the order of
/// concurrent sends to one connection, and a grain must never wait for a client. A client that falls
/// <see cref="Capacity"/> changes behind is disconnected; it reconnects and catches up with <c>Sync</c>.
/// </summary>
internal sealed class ConnectionOutbox
{
    public const int Capacity = 10_000;

    private readonly Channel<HubJson> _queue = Channel.CreateBounded<HubJson>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    private readonly ISingleClientProxy _client;
    private readonly HubCallerContext _connection;

    public ConnectionOutbox(ISingleClientProxy client, HubCallerContext connection, UserKey user)
    {
        _client = client;
        _connection = connection;
        User = user;
        _ = Task.Run(DrainAsync);
    }

    public UserKey User { get; }

    /// <summary>Queues the changes in order; false if the connection is closed or fell too far behind (and is now closed).</summary>
    public bool TryQueue(IReadOnlyList<HubJson> changes)
    {
        foreach (var change in changes)
        {
            if (!_queue.Writer.TryWrite(change))
            {
                Close();
                return false;
            }
        }

        return true;
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
            }
        }
        catch (Exception)
        {
            // The transport failed under us: drop the connection rather than let it miss a change silently.
            Close();
        }
    }
}
