namespace OrleansNotifications.Grains.Push;

/// <summary>FCM: the Google service-account JSON (project_id, client_email, private_key, token_uri).</summary>
public sealed record FcmCredentials(string ServiceAccountJson);

/// <summary>APNs token authentication: the .p8 key (PEM) with its key id, the team, the app's bundle id (the topic).</summary>
public sealed record ApnsCredentials(string TeamId, string KeyId, string PrivateKeyPem, string BundleId, ApnsEnvironment Environment);

public enum ApnsEnvironment
{
    Production,
    Development,
}

/// <summary>Web Push (VAPID, RFC 8292): the app's key pair (base64url: 65-byte uncompressed point, 32-byte scalar) and its contact.</summary>
public sealed record WebPushCredentials(string Subject, string VapidPublicKey, string VapidPrivateKey);

/// <summary>What an operator sets for Web Push: only the subject; the keys are the app's own, made when it was created.</summary>
public sealed record WebPushSettings(string Subject);

/// <summary>An app's push credentials, per platform; null where the operator has not configured one.</summary>
public sealed record AppPushCredentials(FcmCredentials? Fcm, ApnsCredentials? Apns, WebPushCredentials? WebPush);
