using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Push;

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
    Expired,
    Skipped,
}

/// <summary>
/// One thing to push to one subscription: the notification itself, or a state sync about it. A newer one for the same
/// (subscription, notification, kind) replaces the older (a replaced notification collapses; the latest sync wins).
/// </summary>
public sealed record Delivery(
    string SubscriptionId,
    string NotificationId,
    PushMessageKind Kind,
    UserKey User,
    PlatformType Platform,
    long Sequence,
    ChangeKind ChangeKind,
    DeliveryStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    DateTimeOffset ExpiresAt);
