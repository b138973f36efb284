namespace OrleansNotifications.Grains.Apps;

/// <summary>
/// A tenant. The client secret is kept only as its SHA-256 (it is 256 random bits, so a slow hash adds nothing);
/// the VAPID key pair signs its Web Push requests.
/// </summary>
public sealed record AppRecord(
    string AppId,
    string? DisplayName,
    string ClientId,
    byte[] SecretHash,
    string VapidPublicKey,
    string VapidPrivateKey,
    DateTimeOffset CreatedDateTime);
