using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Subscriptions;

public enum SubscriptionStatus
{
    Active,
    Invalid,
}

/// <summary>A Web Push endpoint and the browser's keys (RFC 8291): P-256 public key and auth secret, base64url.</summary>
public sealed record WebPushTarget(string Endpoint, string P256dh, string Auth);

/// <summary>One push endpoint of a user (the UNSID is <see cref="Id"/>).</summary>
public sealed record Subscription(
    string Id,
    UserKey User,
    PlatformType Platform,
    string? DeviceId,
    string? PushToken,
    WebPushTarget? WebPush,
    DateTimeOffset CreatedDateTime,
    DateTimeOffset ExpirationDateTime,
    SubscriptionStatus Status);
