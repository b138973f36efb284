namespace OrleansNotifications.Grains.Push;

public enum PushOutcomeKind
{
    /// <summary>The provider accepted it.</summary>
    Delivered,

    /// <summary>Transient (429, 5xx, timeout, connection failure): try again later, after <see cref="PushOutcome.RetryAfter"/> if given.</summary>
    Retry,

    /// <summary>The provider says the subscription is gone (FCM UNREGISTERED, APNs 410 / BadDeviceToken, Web Push 404/410).</summary>
    Invalid,

    /// <summary>Permanent for this message (rejected payload, missing credentials): do not retry.</summary>
    Failed,
}

/// <summary>The result of one provider request; <see cref="Error"/> is what the deliveries route shows as <c>lastError</c>.</summary>
public sealed record PushOutcome(PushOutcomeKind Kind, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static readonly PushOutcome Delivered = new(PushOutcomeKind.Delivered);

    public static PushOutcome Retry(string error, TimeSpan? retryAfter = null) => new(PushOutcomeKind.Retry, error, retryAfter);

    public static PushOutcome Invalid(string error) => new(PushOutcomeKind.Invalid, error);

    public static PushOutcome Failed(string error) => new(PushOutcomeKind.Failed, error);
}
