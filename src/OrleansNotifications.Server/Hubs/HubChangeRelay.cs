using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using System.Text.Json;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Server.Cluster;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Hubs;

/// <summary>This node's end of the live path: an outbox per hub connection held here, fed by the users' grains.</summary>
public sealed class HubChangeRelay : IChangeRelay
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _outboxes = new(StringComparer.Ordinal);
    private readonly IHubContext<NotificationHub> _hub;
    private readonly NodeRelay _nodes;

    public HubChangeRelay(
        IHubContext<NotificationHub> hub, IOptions<MembershipOptions> options, NodeRelay nodes, ClusterMembership membership)
    {
        (_hub, _nodes, LocalNode) = (hub, nodes, options.Value.NodeName);
        membership.ViewChanged += CloseConnectionsOfMovedUsers;
    }

    public string LocalNode { get; }

    /// <summary>Open connections on this node (for tests and metrics).</summary>
    public int Connections => _outboxes.Count;

    /// <summary>Called before the connection is registered with its grain, so the first change already finds its outbox.</summary>
    public void Open(HubCallerContext connection, UserKey user) =>
        _outboxes[connection.ConnectionId] =
            new ConnectionOutbox(_hub.Clients.Client(connection.ConnectionId), connection, user, PacedKeepAlive.Of(connection));

    /// <summary>
    /// A user whose grain moved to another node (a node died or joined) is known there without its connections: close them,
    /// so their clients reconnect and catch up with Sync rather than wait for changes that will never come.
    /// </summary>
    private void CloseConnectionsOfMovedUsers(IReadOnlyList<ClusterMember> before, IReadOnlyList<ClusterMember> after)
    {
        foreach (var (id, outbox) in _outboxes)
        {
            var key = outbox.User.GrainKey;
            if (RendezvousPlacement.OwnerOf(key, before)?.Name != RendezvousPlacement.OwnerOf(key, after)?.Name)
            {
                Close(id);
            }
        }
    }

    /// <summary>The grain registered the connection at <paramref name="sequence"/>: live changes continue from there.</summary>
    public void Registered(string connectionId, long sequence)
    {
        if (_outboxes.TryGetValue(connectionId, out var outbox))
        {
            outbox.Registered(sequence);
        }
    }

    public void Close(string connectionId)
    {
        if (_outboxes.TryRemove(connectionId, out var outbox))
        {
            outbox.Close();
        }
    }

    public void Disconnect(UserKey user, IReadOnlyCollection<LiveConnection> connections)
    {
        foreach (var connection in connections.Where(c => c.Node == LocalNode))
        {
            Close(connection.ConnectionId);
        }

        foreach (var remote in connections.Where(c => c.Node != LocalNode).GroupBy(c => c.Node))
        {
            _nodes.TryQueue(remote.Key, new RelayBatch(user.GrainKey, [.. remote.Select(c => c.ConnectionId)], [], Close: true));
        }
    }

    public IReadOnlyList<LiveConnection> Send(UserKey user, IReadOnlyCollection<LiveConnection> connections, IReadOnlyList<ChangeRecord> changes)
    {
        List<LiveConnection>? gone = null;
        var encoded = changes.Select(FeedJson.Change).ToList();
        var payloads = changes.Select((change, i) => new LiveChange(change.Sequence, new HubJson(encoded[i]))).ToList();
        foreach (var connection in connections.Where(c => c.Node == LocalNode))
        {
            if (!_outboxes.TryGetValue(connection.ConnectionId, out var outbox) || !outbox.TryQueue(payloads))
            {
                (gone ??= []).Add(connection);
            }
        }

        List<JsonElement>? entries = null; // the same entries for every other node: parsed once, only if there is one
        foreach (var remote in connections.Where(c => c.Node != LocalNode).GroupBy(c => c.Node))
        {
            entries ??= [.. encoded.Select(json => JsonSerializer.Deserialize(json, RelayJsonContext.Default.JsonElement))];
            var batch = new RelayBatch(user.GrainKey, [.. remote.Select(c => c.ConnectionId)], entries);
            if (!_nodes.TryQueue(remote.Key, batch))
            {
                (gone ??= []).AddRange(remote);
            }
        }

        return gone ?? [];
    }

    /// <summary>Changes another node relays for connections held here; returns the ids this node does not hold.</summary>
    public RelayAnswer Receive(RelayBatch batch)
    {
        if (batch.Close)
        {
            foreach (var id in batch.ConnectionIds)
            {
                Close(id);
            }

            return new RelayAnswer([]);
        }

        var payloads = batch.Changes.Select(change => new LiveChange(
            change.GetProperty("sequence").GetInt64(), new HubJson(System.Text.Encoding.UTF8.GetBytes(change.GetRawText())))).ToList();
        return new RelayAnswer([.. batch.ConnectionIds.Where(id => !_outboxes.TryGetValue(id, out var outbox) || !outbox.TryQueue(payloads))]);
    }
}
