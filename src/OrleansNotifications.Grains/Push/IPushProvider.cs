using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Grains.Push;

/// <summary>
/// One push service (FCM, APNs or Web Push): turns a <see cref="PushMessage"/> into the provider's request, sends it, and
/// classifies the answer. It never throws for provider or network trouble: that is a <see cref="PushOutcome"/>.
/// </summary>
public interface IPushProvider
{
    PlatformType Platform { get; }

    Task<PushOutcome> SendAsync(Subscription subscription, PushMessage message, AppPushCredentials credentials, CancellationToken cancellationToken);
}
