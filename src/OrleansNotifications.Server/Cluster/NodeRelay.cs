using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Threading.Channels;
using OrleansNotifications.Grains;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Transport;

namespace OrleansNotifications.Server.Cluster;

/// <summary>
/// Live changes for connections held by other nodes: one ordered queue per node, sent by one loop each, so every connection
/// still gets its user's changes in sequence order. What the other node reports gone (or a node that left) is removed from
/// the user's grain. A grain never waits for another node.
/// </summary>
public sealed partial class NodeRelay(
    ClusterMembership membership, IClusterSecret secret, NodeClient nodes, IGrainFactory grains, ILogger<NodeRelay> logger)
{
    public const string Path = "/internal/relay";
    private readonly ConcurrentDictionary<string, Channel<RelayBatch>> _queues = new(StringComparer.Ordinal);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>False if the node is not an active member: its connections are gone.</summary>
    public bool TryQueue(string node, RelayBatch batch)
    {
        if (!membership.Active.Any(m => m.Name == node))
        {
            return false;
        }

        _queues.GetOrAdd(node, Start).Writer.TryWrite(batch);
        return true;
    }

    private Channel<RelayBatch> Start(string node)
    {
        var queue = Channel.CreateUnbounded<RelayBatch>(new UnboundedChannelOptions { SingleReader = true });
        _ = Task.Run(() => DrainAsync(node, queue.Reader));
        return queue;
    }

    private async Task DrainAsync(string node, ChannelReader<RelayBatch> queue)
    {
        await foreach (var batch in queue.ReadAllAsync())
        {
            IReadOnlyList<string> gone;
            try
            {
                gone = await SendAsync(node, batch);
            }
            catch (Exception exception) when (IsSendFailure(exception))
            {
                LogRelayFailed(logger, node, exception);
                gone = batch.ConnectionIds;
                if (!batch.Close)
                {
                    // The node may be alive but slow (the send timed out): its clients must not keep waiting on connections
                    // that will now get no changes, so ask it to close them; they reconnect and catch up with Sync. If this
                    // fails as well the node is dead, and so are its connections.
                    try
                    {
                        await SendAsync(node, batch with { Changes = [], Close = true });
                    }
                    catch (Exception closeFailure) when (IsSendFailure(closeFailure))
                    {
                        LogRelayFailed(logger, node, closeFailure);
                    }
                }
            }

            foreach (var connectionId in gone)
            {
                // Not awaited: a grain that is moving (its owner just died) may take seconds to answer, and this loop carries
                // every other user's changes to that node.
                _ = grains.GetGrain<IUserGrain>(batch.UserGrainKey).DisconnectAsync(connectionId)
                    .ContinueWith(t => LogForgetFailed(logger, connectionId, t.Exception!), CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Posts one batch to the node; returns the connections it does not hold.</summary>
    private async Task<IReadOnlyList<string>> SendAsync(string node, RelayBatch batch)
    {
        var address = membership.Active.FirstOrDefault(m => m.Name == node)?.Address
            ?? throw new HttpRequestException($"{node} is no longer a member.");
        using var request = NodeRequest.Create(HttpMethod.Post, address, Path, secret, membership.LocalName);
        request.Content = JsonContent.Create(batch, RelayJsonContext.Default.RelayBatch);
        using var response = await nodes.SendAsync(request, SendTimeout);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(RelayJsonContext.Default.RelayAnswer))?.Gone ?? [];
    }

    private static bool IsSendFailure(Exception exception) =>
        exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling a user grain to forget connection {ConnectionId} failed")]
    private static partial void LogForgetFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying live changes to node {Node} failed; its connections are dropped")]
    private static partial void LogRelayFailed(ILogger logger, string node, Exception exception);
}
