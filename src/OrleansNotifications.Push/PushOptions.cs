namespace OrleansNotifications.Push;

/// <summary>Where the push services are (configuration section <c>Notifications:Push</c>); tests point them at loopback fakes.</summary>
public sealed class PushOptions
{
    /// <summary>FCM HTTP v1 base address. Default <c>https://fcm.googleapis.com</c>.</summary>
    public Uri FcmBaseUrl { get; set; } = new("https://fcm.googleapis.com");

    /// <summary>APNs production host. Default <c>https://api.push.apple.com</c>.</summary>
    public Uri ApnsProductionUrl { get; set; } = new("https://api.push.apple.com");

    /// <summary>APNs development (sandbox) host. Default <c>https://api.sandbox.push.apple.com</c>.</summary>
    public Uri ApnsDevelopmentUrl { get; set; } = new("https://api.sandbox.push.apple.com");

    /// <summary>How long one provider request may take before it counts as a transient failure. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
