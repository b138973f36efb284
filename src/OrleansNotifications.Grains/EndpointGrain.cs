using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Reminders;

namespace OrleansNotifications.Grains;

/// <summary>
/// Owns delivery to one subscription. Each due delivery is sent with the notification as it is now (so a replacement sends
/// the new content, and a notification deleted or expired meanwhile is not sent), and its outcome recorded: delivered,
/// retried later with exponential backoff, jitter and the provider's Retry-After, failed, or expired.
/// </summary>
public sealed class EndpointGrain(
    IDeliveryStore deliveries,
    ISubscriptionStore subscriptions,
    IPushCredentialStore credentials,
    INotificationStore notifications,
    IEnumerable<IPushProvider> providers,
    IGrainFactory grains,
    NotificationMetrics metrics,
    IOptions<DeliveryOptions> options,
    TimeProvider time) : Grain, IEndpointGrain, IRemindable
{
    public const string GrainTypeName = "endpoint";
    public const string RetryReminderName = "deliver";
    private const int Batch = 100;

    /// <summary>
    /// A commit that creates deliveries also sets the endpoint's reminder this far ahead: the UserGrain calls the endpoint at
    /// once, and the reminder only matters if the process died first (or that call was lost).
    /// </summary>
    public static readonly TimeSpan SafetyNetDelay = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The reminder a commit writes with a pending delivery (every provider's store writes it in the same transaction): the
    /// promise to deliver is durable with the change, so should the process die before the endpoint is called, this wakes it.
    /// </summary>
    public static ReminderEntry? SafetyNetReminder(Delivery delivery) =>
        delivery.NextAttemptAt is { } due
            ? new ReminderEntry(new GrainId(GrainTypeName, KeyOf(delivery.User, delivery.SubscriptionId)), RetryReminderName, due + SafetyNetDelay)
            : null;

    /// <summary>The grain key of a subscription's endpoint: placed with its user (see <see cref="GrainId.PlacementKey"/>).</summary>
    public static string KeyOf(UserKey user, string subscriptionId) => $"{user.GrainKey}{GrainId.PlacementSeparator}{subscriptionId}";

    public async Task DeliverAsync()
    {
        var subscriptionId = GrainKey[(GrainKey.LastIndexOf(GrainId.PlacementSeparator) + 1)..];
        while (true)
        {
            var now = time.GetUtcNow();
            var due = await deliveries.ListDueAsync(subscriptionId, now, Batch);
            if (due.Count == 0)
            {
                break;
            }

            var subscription = await subscriptions.GetAsync(subscriptionId, now);
            if (subscription is null || subscription.Status == SubscriptionStatus.Invalid)
            {
                await deliveries.FailPendingAsync(subscriptionId, subscription is null ? "the subscription expired or was deleted" : "the subscription is invalid", now);
                break;
            }

            var appCredentials = await credentials.GetAsync(subscription.User.AppId) ?? new AppPushCredentials(null, null, null);
            foreach (var delivery in due)
            {
                if (!await DeliverOneAsync(subscription, delivery, appCredentials))
                {
                    return; // the subscription became invalid: nothing more goes to it
                }
            }

            if (due.Count < Batch)
            {
                break;
            }
        }

        if (await deliveries.NextAttemptAsync(subscriptionId) is { } next)
        {
            await RegisterOrUpdateReminderAsync(RetryReminderName, next);
        }
    }

    public Task ReceiveReminder(string reminderName) => DeliverAsync();

    /// <summary>Sends one delivery and records the outcome; false if the provider said the subscription is gone.</summary>
    private async Task<bool> DeliverOneAsync(Subscription subscription, Delivery delivery, AppPushCredentials appCredentials)
    {
        var now = time.GetUtcNow();
        var notification = (await notifications.GetAsync(delivery.User, delivery.NotificationId, now))?.Resource;
        if (delivery.ExpiresAt <= now || (notification is null && delivery.Kind == PushMessageKind.Notification))
        {
            // Expired, or deleted before it could be sent: never deliver what the user can no longer see.
            var status = delivery.ExpiresAt <= now ? DeliveryStatus.Expired : DeliveryStatus.Skipped;
            await deliveries.UpdateAsync(delivery with { Status = status, NextAttemptAt = null });
            return true;
        }

        var provider = providers.FirstOrDefault(p => p.Platform == subscription.Platform);
        var message = new PushMessage(delivery.Kind, delivery.ChangeKind, delivery.NotificationId, delivery.Sequence, notification,
            notification?.AppNotificationId, delivery.Kind == PushMessageKind.Notification ? notification!.Priority : Priority.Normal,
            delivery.ExpiresAt);
        var started = Stopwatch.GetTimestamp();
        var outcome = provider is null
            ? PushOutcome.Failed($"no {WireNames.Of(subscription.Platform)} sender in this build")
            : await provider.SendAsync(subscription, message, appCredentials, CancellationToken.None);
        metrics.Pushed(subscription.Platform, outcome.Kind, started);

        var attempted = delivery with { Attempts = delivery.Attempts + 1, LastAttemptAt = now, LastError = outcome.Error };
        switch (outcome.Kind)
        {
            case PushOutcomeKind.Delivered:
                await deliveries.UpdateAsync(attempted with { Status = DeliveryStatus.Delivered, NextAttemptAt = null });
                return true;
            case PushOutcomeKind.Retry:
                await deliveries.UpdateAsync(ScheduleRetry(attempted, outcome.RetryAfter, now));
                return true;
            case PushOutcomeKind.Invalid:
                // The subscription first, the delivery's outcome last: whoever sees this delivery failed also sees the
                // subscription invalid and the user's grain no longer delivering to it.
                await subscriptions.MarkInvalidAsync(subscription.Id);
                await grains.GetGrain<IUserGrain>(subscription.User.GrainKey).SubscriptionsChangedAsync();
                await deliveries.FailPendingAsync(subscription.Id, "the subscription is invalid: " + outcome.Error, now);
                await deliveries.UpdateAsync(attempted with { Status = DeliveryStatus.Failed, NextAttemptAt = null });
                return false;
            default:
                await deliveries.UpdateAsync(attempted with { Status = DeliveryStatus.Failed, NextAttemptAt = null });
                return true;
        }
    }

    /// <summary>
    /// Exponential backoff with "equal jitter" (half fixed, half random, so retries of many endpoints spread out but never come
    /// sooner than half the step), never sooner than the provider's Retry-After; past the attempt limit or the expiry it stops.
    /// </summary>
    private Delivery ScheduleRetry(Delivery attempted, TimeSpan? retryAfter, DateTimeOffset now)
    {
        var settings = options.Value;
        if (attempted.Attempts >= settings.MaxAttempts)
        {
            return attempted with { Status = DeliveryStatus.Failed, NextAttemptAt = null, LastError = $"gave up after {attempted.Attempts} attempts: {attempted.LastError}" };
        }

        var step = Math.Min(settings.RetryBaseDelay.Ticks * Math.Pow(2, attempted.Attempts - 1), settings.MaxRetryDelay.Ticks);
        var delay = TimeSpan.FromTicks((long)(step / 2 + Random.Shared.NextDouble() * step / 2));
        if (retryAfter > delay)
        {
            delay = retryAfter.Value;
        }

        var next = now + delay;
        return next >= attempted.ExpiresAt
            ? attempted with { Status = DeliveryStatus.Expired, NextAttemptAt = null }
            : attempted with { Status = DeliveryStatus.Pending, NextAttemptAt = next };
    }
}
