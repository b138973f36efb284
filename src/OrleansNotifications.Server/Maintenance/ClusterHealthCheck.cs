using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansNotifications.Runtime.Membership;

namespace OrleansNotifications.Server.Maintenance;

/// <summary>Ready only once this node holds a cluster lease (API.md: "ready = storage reachable and the node has joined").</summary>
internal sealed class ClusterHealthCheck(ClusterMembership membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(membership.HasJoined
            ? HealthCheckResult.Healthy($"{membership.Active.Count} active node(s)")
            : HealthCheckResult.Unhealthy("This node has not joined the cluster yet."));
}
