using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Api;

/// <summary>
/// <c>GET /v1/admin/apps/{appId}/users/{userId}</c>: the user lookup of the dashboard. The user's grain (the node it runs on,
/// its sequence, its live connections), its notifications counted by state, its subscriptions with their status, and its
/// latest deliveries with their errors.
/// </summary>
public static class AdminUsersApi
{
    public const int LatestDeliveries = 20;

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("/apps/{appId}/users/{userId}", Get).AddEndpointFilter(CurrentUser.ValidateRouteUserId);
        return group;
    }

    private static async Task<IResult> Get(
        string appId, string userId, IAppStore apps, IGrainFactory grains, INotificationStore notifications, ISubscriptionStore subscriptions,
        IDeliveryStore deliveries, TimeProvider time)
    {
        if (await apps.GetAsync(appId) is null)
        {
            return Problems.NotFound($"There is no app '{appId}'.");
        }

        var user = new UserKey(appId, userId);
        var now = time.GetUtcNow();
        var grain = await grains.GetGrain<IUserGrain>(user.GrainKey).DescribeAsync();
        var counts = await notifications.CountByStateAsync(user, now);
        int Count(Func<StateCount, bool> which) => counts.Where(which).Sum(c => c.Count);

        return TypedResults.Json(new UserLookupResponse(
            appId, userId,
            new UserGrainResponse(grain.Node, grain.Sequence, grain.Connections.Count, [.. grain.Connections.Select(c => c.Node).Distinct().Order()]),
            new NotificationCountsResponse(
                Count(_ => true), Count(c => c.ReadState == ReadState.Unread), Count(c => c.ReadState == ReadState.Read),
                Count(c => c.UserActionState == UserActionState.NoInteraction), Count(c => c.UserActionState == UserActionState.Activated),
                Count(c => c.UserActionState == UserActionState.Dismissed), Count(c => c.UserActionState == UserActionState.Snoozed)),
            [.. (await subscriptions.ListAsync(user, now)).Select(s => new SubscriptionStatusResponse(
                s.Id, WireNames.Of(s.Platform), s.Status.ToString().ToLowerInvariant(), s.DeviceId, s.CreatedDateTime, s.ExpirationDateTime))],
            [.. (await deliveries.ListLatestAsync(user, LatestDeliveries)).Select(d => new UserDeliveryResponse(
                d.SubscriptionId, d.NotificationId, d.Kind == PushMessageKind.Notification ? "notification" : "stateSync", WireNames.Of(d.Platform),
                d.Sequence, WireNames.Of(d.ChangeKind), d.Status.ToString().ToLowerInvariant(), d.Attempts, d.LastAttemptAt, d.NextAttemptAt, d.LastError))]),
            ServerJsonContext.Default.UserLookupResponse);
    }
}
