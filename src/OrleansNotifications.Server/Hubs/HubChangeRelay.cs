using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Hubs;

/// <summary>This node's end of the live path: an outbox per hub connection held here, fed by the users' grains.</summary>
public sealed class HubChangeRelay(IHubContext<NotificationHub> hub, IOptions<MembershipOptions> options) : IChangeRelay
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _outboxes = new(StringComparer.Ordinal);

    public string LocalNode { get; } = options.Value.NodeName;

    /// <summary>Open connections on this node (for tests and metrics).</summary>
    public int Connections => _outboxes.Count;

    /// <summary>Called before the connection is registered with its grain, so the first change already finds its outbox.</summary>
    public void Open(HubCallerContext connection) =>
        _outboxes[connection.ConnectionId] = new ConnectionOutbox(hub.Clients.Client(connection.ConnectionId), connection);

    public void Close(string connectionId)
    {
        if (_outboxes.TryRemove(connectionId, out var outbox))
        {
            outbox.Close();
        }
    }

    public void Disconnect(IReadOnlyCollection<LiveConnection> connections)
    {
        foreach (var connection in connections.Where(c => c.Node == LocalNode))
        {
            Close(connection.ConnectionId);
        }
    }

    public IReadOnlyList<LiveConnection> Send(IReadOnlyCollection<LiveConnection> connections, IReadOnlyList<ChangeRecord> changes)
    {
        List<LiveConnection>? gone = null;
        var payloads = changes.Select(change => new HubJson(FeedJson.Change(change))).ToList();
        foreach (var connection in connections)
        {
            // A connection of another node cannot be reached from a single node: it is left over from before a restart.
            if (connection.Node != LocalNode || !_outboxes.TryGetValue(connection.ConnectionId, out var outbox) || !outbox.TryQueue(payloads))
            {
                (gone ??= []).Add(connection);
            }
        }

        return gone ?? [];
    }
}
