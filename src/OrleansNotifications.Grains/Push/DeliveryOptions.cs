namespace OrleansNotifications.Grains.Push;

/// <summary>Retry policy of push deliveries (configuration section <c>Notifications:Push</c>).</summary>
public sealed class DeliveryOptions
{
    /// <summary>Attempts per delivery before it is <c>failed</c>. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the first retry; each further retry doubles it, with jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts (a provider's Retry-After may ask for more). Default 1 hour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Subject of VAPID tokens (RFC 8292 <c>sub</c>) for apps whose operator set none.</summary>
    public string DefaultWebPushSubject { get; set; } = "mailto:webpush@localhost";
}
