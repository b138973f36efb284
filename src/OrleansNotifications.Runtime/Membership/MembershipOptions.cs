namespace OrleansNotifications.Runtime.Membership;

/// <summary>This node in the cluster (configuration section <c>Notifications:Cluster</c>).</summary>
public sealed class MembershipOptions
{
    /// <summary>Unique name of this node (API.md <c>Cluster:NodeName</c>). Default: the machine name and the port it listens on.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>
    /// Where other nodes reach this one (API.md <c>Cluster:AdvertisedAddress</c>), e.g. <c>http://10.0.0.5:5000</c>. Default:
    /// the node's first <c>--urls</c> address.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "http://127.0.0.1:5000";

    /// <summary>
    /// Where this node listens for other nodes over HTTP/2 without TLS (h2c), e.g. <c>http://0.0.0.0:6101</c>: an extra
    /// HTTP/2-only endpoint beside the public ones. When set, the node advertises it as <c>h2c://host:port</c> (unless
    /// <see cref="AdvertisedAddress"/> is set) and other nodes call it over HTTP/2. Default: none; nodes then call each
    /// other on the public address over HTTP/1.1.
    /// </summary>
    public string? InternalUrl { get; set; }

    /// <summary>How often the node renews its lease. Default 2 s.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A node whose lease was not renewed for this long is dead and its grains move. Default 8 s (failover ≤ 10 s).</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(8);
}
