namespace OrleansNotifications.Runtime.Membership;

/// <summary>
/// The lease rows, kept by the storage provider. Heartbeats are stamped and leases judged by the database's clock, so nodes
/// whose clocks disagree still agree on who is alive.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates or renews this node's row; its heartbeat becomes the database's "now".</summary>
    Task HeartbeatAsync(string name, string address, DateTimeOffset startedAt);

    /// <summary>Every row, each judged active if its heartbeat is within <paramref name="leaseTimeout"/> of the database's now.</summary>
    Task<IReadOnlyList<ClusterMember>> ReadAsync(TimeSpan leaseTimeout);

    /// <summary>A clean shutdown: the node's lease ends now, so its grains move without waiting for the timeout.</summary>
    Task LeaveAsync(string name);
}
