namespace OrleansNotifications.Grains.Model;

/// <summary>
/// One entry of a user's change feed. <see cref="NotificationJson"/> is the resource after the change (created/updated only),
/// kept as the JSON that was stored so feeds are served without re-serialising.
/// </summary>
public sealed record ChangeRecord(long Sequence, ChangeKind Kind, string NotificationId, DateTimeOffset OccurredDateTime, byte[]? NotificationJson);
