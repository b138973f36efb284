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
    DateTimeOffset? RequestedExpiration,
    Payload Payload,
    byte[] ContentHash)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <summary>
    /// The expiration of a notification created at <paramref name="createdAt"/>: the requested instant, or creation + 30 days
    /// when none was given, and never later than that. Applied by the grain to its own creation time, so the default is exactly
    /// 30 days after <c>createdDateTime</c> (the validator's clock read earlier).
    /// </summary>
    public DateTimeOffset ExpirationFor(DateTimeOffset createdAt)
    {
        var latest = createdAt + MaxLifetime;
        return RequestedExpiration is { } requested && requested < latest ? requested : latest;
    }
}
