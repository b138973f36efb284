namespace OrleansNotifications.Grains.Live;

/// <summary>A hub connection of a user, and the node that holds it (where its changes must be sent).</summary>
public readonly record struct LiveConnection(string ConnectionId, string Node);
