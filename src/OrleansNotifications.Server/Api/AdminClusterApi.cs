using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Cluster;
using OrleansNotifications.Server.Maintenance;
using OrleansNotifications.Server.Metrics;

namespace OrleansNotifications.Server.Api;

/// <summary>
/// <c>GET /v1/admin/cluster</c>: the members as the database sees them, each with what it reports of itself (activations,
/// connections, rates, latency, recent history), the cluster's totals, pending push deliveries and storage health. The
/// dashboard's cluster panels are drawn from this one answer.
/// </summary>
public static class AdminClusterApi
{
    public static RouteGroupBuilder MapAdminCluster(this RouteGroupBuilder group)
    {
        group.MapGet("/cluster", Get);
        return group;
    }

    private static async Task<IResult> Get(ClusterMembership membership, NodeActivityClient activity, DeliveryBacklog backlog, HealthCheckService health)
    {
        var members = membership.Members;
        var reports = members.ToDictionary(m => m.Name, m => m.Status == MemberStatus.Active ? activity.GetAsync(m) : null);
        var pending = await backlog.RefreshAsync();
        var storage = (await health.CheckHealthAsync(check => check.Name == StorageHealthCheck.Name)).Entries[StorageHealthCheck.Name];

        var nodes = new List<ClusterNodeResponse>(members.Count);
        foreach (var member in members)
        {
            NodeActivity? report = null;
            string? error = null;
            try
            {
                report = reports[member.Name] is { } task ? await task : null;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                error = $"no report from the node: {exception.Message}";
            }

            nodes.Add(new ClusterNodeResponse(
                member.Name, member.Address, member.Status == MemberStatus.Active ? "active" : "dead", member.StartedAt, member.LastHeartbeat,
                Math.Round(Math.Max(0, (DateTimeOffset.UtcNow - member.LastHeartbeat).TotalSeconds), 1),
                report?.Activations.Values.Sum(), report?.Activations, report, error));
        }

        var reported = nodes.Select(n => n.Activity).OfType<NodeActivity>().ToList();
        var rates = new ActivityRates(
            reported.Sum(r => r.Rates.Requests), reported.Sum(r => r.Rates.Publishes), reported.Sum(r => r.Rates.Changes),
            reported.Sum(r => r.Rates.PushDelivered), reported.Sum(r => r.Rates.PushFailed),
            [.. reported.SelectMany(r => r.Rates.Push).GroupBy(p => (p.Provider, p.Outcome))
                .Select(g => new PushRate(g.Key.Provider, g.Key.Outcome, g.Sum(p => p.PerSecond), g.Sum(p => p.Total)))]);
        return TypedResults.Json(new ClusterResponse(
            membership.LocalName, nodes, rates, reported.Sum(r => r.Connections), reported.Sum(r => r.Activations.Values.Sum()),
            pending is null ? null : new PendingDeliveriesResponse(pending.Waiting, pending.Retrying),
            new StorageHealthResponse(storage.Status.ToString().ToLowerInvariant(), Math.Round(storage.Duration.TotalMilliseconds, 1), storage.Description)),
            ServerJsonContext.Default.ClusterResponse);
    }
}
