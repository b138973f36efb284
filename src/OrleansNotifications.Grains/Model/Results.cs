using OrleansNotifications.Grains.Storage;

namespace OrleansNotifications.Grains.Model;

public enum PublishOutcome
{
    /// <summary>A new notification (201).</summary>
    Created,

    /// <summary>Same appNotificationId, different content: replaced and redelivered (200).</summary>
    Replaced,

    /// <summary>An exact repeat of an earlier publish: nothing changed, nothing redelivered (200).</summary>
    Unchanged,
}

/// <summary>The outcome and the notification as stored (its JSON is what the API returns, serialised once).</summary>
public sealed record PublishResult(PublishOutcome Outcome, StoredNotification Notification);

public enum UpdateOutcome
{
    Updated,
    Unchanged,
    NotFound,
    PreconditionFailed,
}

public sealed record UpdateResult(UpdateOutcome Outcome, StoredNotification? Notification);

/// <summary>A user's grain as it is now: the node it runs on, the last sequence of its feed, its live connections.</summary>
public sealed record UserGrainStatus(string Node, long Sequence, IReadOnlyList<Live.LiveConnection> Connections);
