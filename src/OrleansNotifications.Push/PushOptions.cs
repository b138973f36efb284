using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push;

/// <summary>Where the push services are (configuration section <c>Notifications:Push</c>); tests point them at loopback fakes.</summary>
public sealed class PushOptions
{
    /// <summary><c>Notifications:Push:Fcm</c>.</summary>
    public FcmSettings Fcm { get; set; } = new();

    /// <summary><c>Notifications:Push:Apns</c>.</summary>
    public ApnsSettings Apns { get; set; } = new();

    /// <summary>How long one provider request may take before it counts as a transient failure. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public sealed class FcmSettings
    {
        /// <summary>FCM HTTP v1 base address (API.md <c>Push:Fcm:BaseUrl</c>). Default <c>https://fcm.googleapis.com</c>.</summary>
        public Uri BaseUrl { get; set; } = new("https://fcm.googleapis.com");
    }

    public sealed class ApnsSettings
    {
        /// <summary>API.md <c>Push:Apns:BaseUrl</c>: when set, used for both environments (tests point it at a fake).</summary>
        public Uri? BaseUrl { get; set; }

        /// <summary>APNs production host. Default <c>https://api.push.apple.com</c>.</summary>
        public Uri ProductionUrl { get; set; } = new("https://api.push.apple.com");

        /// <summary>APNs development (sandbox) host. Default <c>https://api.sandbox.push.apple.com</c>.</summary>
        public Uri DevelopmentUrl { get; set; } = new("https://api.sandbox.push.apple.com");

        public Uri For(ApnsEnvironment environment) => BaseUrl ?? (environment == ApnsEnvironment.Development ? DevelopmentUrl : ProductionUrl);
    }
}
