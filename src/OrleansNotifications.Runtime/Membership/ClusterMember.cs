namespace OrleansNotifications.Runtime.Membership;

public enum MemberStatus
{
    Active,
    Dead,
}

/// <summary>A node's lease row: who it is, where other nodes reach it, and when it last renewed its lease (database clock).</summary>
public sealed record ClusterMember(string Name, string Address, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, MemberStatus Status);
