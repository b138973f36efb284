using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Push;

/// <summary>Per-app push credentials as operators set them (secrets are stored, never returned by the API).</summary>
public interface IPushCredentialStore
{
    /// <summary>The app's credentials; Web Push always has the app's VAPID keys, with the configured subject or the default.</summary>
    Task<AppPushCredentials?> GetAsync(string appId);

    /// <summary>
    /// Stores one platform's settings: <see cref="FcmCredentials"/>, <see cref="ApnsCredentials"/> or
    /// <see cref="WebPushSettings"/>. False if the app does not exist.
    /// </summary>
    Task<bool> SaveAsync<TSettings>(string appId, PlatformType platform, TSettings settings, DateTimeOffset now);
}
