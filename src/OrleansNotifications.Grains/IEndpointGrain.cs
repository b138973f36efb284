using OrleansNotifications.Runtime;

namespace OrleansNotifications.Grains;

/// <summary>
/// Delivery to one push subscription (key: <see cref="EndpointGrain.KeyOf"/>, the user's key and the subscription id): sends what is due, one at a time, records each outcome,
/// and schedules retries with a durable reminder.
/// </summary>
public interface IEndpointGrain : IGrainWithStringKey
{
    /// <summary>Sends every delivery that is due now (called after a commit created some; reminders call it for retries).</summary>
    Task DeliverAsync();
}
