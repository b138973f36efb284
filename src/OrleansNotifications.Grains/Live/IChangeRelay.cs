using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Live;

/// <summary>
/// Carries committed changes from a UserGrain to the hub connections of its user, on whichever node holds them.
/// The grain calls it once per commit, in sequence order; the relay must keep that order per connection and must never
/// make the grain wait for a slow client.
/// </summary>
public interface IChangeRelay
{
    /// <summary>The name of this node, recorded with each connection registered here.</summary>
    string LocalNode { get; }

    /// <summary>
    /// Queues <paramref name="changes"/> for each connection. Returns the connections the relay knows to be gone (closed,
    /// or their node is), which the grain then forgets.
    /// </summary>
    IReadOnlyList<LiveConnection> Send(UserKey user, IReadOnlyCollection<LiveConnection> connections, IReadOnlyList<ChangeRecord> changes);

    /// <summary>
    /// Closes the connections, for a grain that is about to lose its registry (deactivation): their clients reconnect and
    /// catch up with Sync instead of silently missing changes.
    /// </summary>
    void Disconnect(UserKey user, IReadOnlyCollection<LiveConnection> connections);
}
