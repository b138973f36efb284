using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Push;

public enum PushMessageKind
{
    /// <summary>The notification itself, to be shown (created, or replaced: collapses onto the earlier one).</summary>
    Notification,

    /// <summary>A silent data message (android, ios) telling other devices that the notification was handled.</summary>
    StateSync,
}

/// <summary>
/// What one push to one subscription carries, independent of the provider. Each provider maps it to its wire format
/// (API.md, "Push delivery").
/// </summary>
/// <param name="Kind">Show the notification, or a silent state sync.</param>
/// <param name="ChangeKind">The change being delivered: created/updated for a notification; updated/deleted for a sync.</param>
/// <param name="NotificationId">The notification's id.</param>
/// <param name="Sequence">The user's change sequence of this change.</param>
/// <param name="Notification">The resource, for <see cref="PushMessageKind.Notification"/> and for updates (null after delete).</param>
/// <param name="CollapseKey">The appNotificationId, when there is one: FCM <c>collapse_key</c>, APNs <c>apns-collapse-id</c>, Web Push <c>Topic</c>.</param>
/// <param name="Priority">The notification's priority (sync messages are sent at normal priority).</param>
/// <param name="ExpiresAt">When the push stops being worth delivering: the notification's expiration.</param>
public sealed record PushMessage(
    PushMessageKind Kind,
    ChangeKind ChangeKind,
    string NotificationId,
    long Sequence,
    Notification? Notification,
    string? CollapseKey,
    Priority Priority,
    DateTimeOffset ExpiresAt);
