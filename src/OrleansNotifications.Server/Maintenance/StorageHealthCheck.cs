using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Server.Maintenance;

/// <summary>Ready = storage answers. (A single node has joined its cluster by definition; cluster membership adds its own check.)</summary>
internal sealed class StorageHealthCheck(IStorageHealth storage) : IHealthCheck
{
    public const string Name = "storage";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await storage.IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Storage is reachable.")
            : HealthCheckResult.Unhealthy("Storage is unreachable.");
}
