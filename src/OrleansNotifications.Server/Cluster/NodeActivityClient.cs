using System.Net.Http.Json;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Transport;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Metrics;

namespace OrleansNotifications.Server.Cluster;

/// <summary>
/// <c>GET /internal/activity</c> on each member: what the node measured of itself (<see cref="MetricsHistory.Report"/>), so
/// one node can show the whole cluster. A node that does not answer within <see cref="Timeout"/> is shown without figures.
/// </summary>
public sealed class NodeActivityClient(ClusterMembership membership, MetricsHistory history, IClusterSecret secret, NodeClient nodes)
{
    public const string Path = "/internal/activity";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<NodeActivity> GetAsync(ClusterMember member)
    {
        if (member.Name == membership.LocalName)
        {
            return history.Report();
        }

        using var request = NodeRequest.Create(HttpMethod.Get, member.Address, Path, secret, membership.LocalName);
        using var response = await nodes.SendAsync(request, Timeout);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ServerJsonContext.Default.NodeActivity)
            ?? throw new HttpRequestException($"{member.Name} answered no activity.");
    }
}
