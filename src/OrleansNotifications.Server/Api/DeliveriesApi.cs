using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Api;

/// <summary><c>GET …/notifications/{id}/deliveries</c>: how the notification fared with each of the user's push subscriptions.</summary>
public static class DeliveriesApi
{
    public static RouteGroupBuilder MapDeliveries(this RouteGroupBuilder group)
    {
        group.MapGet("/notifications/{id}/deliveries", List);
        return group;
    }

    private static async Task<IResult> List(CurrentUser user, string id, INotificationStore notifications, IDeliveryStore deliveries, TimeProvider time)
    {
        if (await notifications.GetAsync(user.Key, id, time.GetUtcNow()) is null)
        {
            return Problems.NotFound("The user has no unexpired notification with that id.");
        }

        var rows = await deliveries.ListForNotificationAsync(user.Key, id);
        return TypedResults.Json(
            new DeliveryList([.. rows.Select(d => new DeliveryResponse(
                d.SubscriptionId, WireNames.Of(d.Platform), d.Status.ToString().ToLowerInvariant(), d.Attempts, d.LastAttemptAt, d.LastError))]),
            ServerJsonContext.Default.DeliveryList);
    }
}
