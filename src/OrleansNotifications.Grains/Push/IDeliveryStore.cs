namespace OrleansNotifications.Grains.Push;

/// <summary>
/// Delivery rows. New ones are written by the UserGrain inside its commit (so an acknowledged publish is a durable promise to
/// deliver); the EndpointGrain of the subscription updates them as it sends.
/// </summary>
public interface IDeliveryStore
{
    /// <summary>Pending deliveries of the subscription whose next attempt is due, oldest change first.</summary>
    Task<IReadOnlyList<Delivery>> ListDueAsync(string subscriptionId, DateTimeOffset now, int max);

    /// <summary>The earliest next attempt among the subscription's pending deliveries.</summary>
    Task<DateTimeOffset?> NextAttemptAsync(string subscriptionId);

    /// <summary>Records an attempt's outcome, unless a newer delivery replaced the row meanwhile (same key, other sequence).</summary>
    Task UpdateAsync(Delivery delivery);

    /// <summary>Fails every pending delivery of the subscription (it became invalid).</summary>
    Task FailPendingAsync(string subscriptionId, string error, DateTimeOffset now);

    /// <summary>The notification deliveries (not state syncs) of one notification, per subscription.</summary>
    Task<IReadOnlyList<Delivery>> ListForNotificationAsync(UserKey user, string notificationId);

    /// <summary>The user's most recent deliveries (notifications and state syncs), newest change first (operators' user lookup).</summary>
    Task<IReadOnlyList<Delivery>> ListLatestAsync(UserKey user, int max);

    /// <summary>Pending deliveries across all users: never attempted yet, and waiting for a retry (operators).</summary>
    Task<PendingDeliveries> CountPendingAsync();

    /// <summary>Deletes up to <paramref name="max"/> deliveries whose notification expired before <paramref name="olderThan"/>.</summary>
    Task<int> PruneAsync(DateTimeOffset olderThan, int max);
}

/// <summary>Deliveries not finished yet: <see cref="Waiting"/> for their first attempt, <see cref="Retrying"/> after a failed one.</summary>
public sealed record PendingDeliveries(long Waiting, long Retrying);
