namespace OrleansNotifications.Runtime.Storage;

/// <summary>Whether the storage provider can be reached right now (readiness).</summary>
public interface IStorageHealth
{
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
