namespace OrleansNotifications.Grains.Model;

/// <summary>
/// A validated publish request. <see cref="ContentHash"/> fingerprints the body as the app sent it, so an exact retry
/// of the same <see cref="AppNotificationId"/> can be told apart from a replacement.
/// </summary>
public sealed record NotificationDraft(
    string? AppNotificationId,
    string? TargetHostName,
    string? GroupName,
    TargetPolicy? TargetPolicy,
    Priority Priority,
    int? DisplayTimeToLive,
    DateTimeOffset ExpirationDateTime,
    Payload Payload,
    byte[] ContentHash);
