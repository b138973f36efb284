using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Validation;

namespace OrleansNotifications.Server.Api;

/// <summary>A user's push subscriptions (UNSIDs), managed by the device itself or by the app on its behalf.</summary>
public static class SubscriptionsApi
{
    public static RouteGroupBuilder MapSubscriptions(this RouteGroupBuilder group)
    {
        group.MapGet("/subscriptions", List);
        group.MapPost("/subscriptions", Create);
        group.MapGet("/subscriptions/{id}", Get);
        group.MapDelete("/subscriptions/{id}", Delete);
        return group;
    }

    private static async Task<IResult> Create(
        CurrentUser user, HttpRequest request, ISubscriptionStore store, IGrainFactory grains, TimeProvider time,
        IOptions<NotificationsOptions> options)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.SubscriptionCreateRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var settings = options.Value;
        var errors = new ValidationErrors();
        var subscription = SubscriptionValidator.Validate(
            body.Value!, user.Key, time.GetUtcNow(), settings.Push.WebPush.AllowInsecureEndpoints, errors);
        if (subscription is null)
        {
            return Problems.Validation(errors);
        }

        var stored = await store.SaveAsync(subscription, settings.MaxSubscriptionsPerUser);
        if (stored is null)
        {
            return Problems.Problem(StatusCodes.Status409Conflict, "too-many-subscriptions", "Too many subscriptions.",
                $"A user may hold at most {settings.MaxSubscriptionsPerUser} subscriptions; delete unused ones first.");
        }

        await UserGrain(grains, user).SubscriptionsChangedAsync();

        return new RawJsonResult(
            JsonSerializer.SerializeToUtf8Bytes(ToResponse(stored), ServerJsonContext.Default.SubscriptionResponse),
            StatusCodes.Status201Created)
        {
            // Under the route the caller used: a device's user token can read /v1/me/subscriptions/{id}, not the app route.
            Location = $"{(request.PathBase + request.Path).ToUriComponent().TrimEnd('/')}/{Uri.EscapeDataString(stored.Id)}",
        };
    }

    private static async Task<IResult> List(CurrentUser user, ISubscriptionStore store, TimeProvider time) =>
        TypedResults.Json(
            new SubscriptionList([.. (await store.ListAsync(user.Key, time.GetUtcNow())).Select(ToResponse)]),
            ServerJsonContext.Default.SubscriptionList);

    private static async Task<IResult> Get(CurrentUser user, string id, ISubscriptionStore store, TimeProvider time) =>
        await store.GetAsync(id, time.GetUtcNow()) is { } subscription && subscription.User == user.Key
            ? TypedResults.Json(ToResponse(subscription), ServerJsonContext.Default.SubscriptionResponse)
            : Problems.NotFound("The user has no subscription with that id.");

    private static async Task<IResult> Delete(CurrentUser user, string id, ISubscriptionStore store, IGrainFactory grains)
    {
        if (!await store.DeleteAsync(user.Key, id))
        {
            return Problems.NotFound("The user has no subscription with that id.");
        }

        await UserGrain(grains, user).SubscriptionsChangedAsync();
        return TypedResults.NoContent();
    }

    /// <summary>The user's grain keeps the subscriptions it delivers to in memory; it must hear of every change to them.</summary>
    private static IUserGrain UserGrain(IGrainFactory grains, CurrentUser user) => grains.GetGrain<IUserGrain>(user.Key.GrainKey);

    private static SubscriptionResponse ToResponse(Subscription s) => new(
        s.Id,
        WireNames.Of(s.Platform),
        s.DeviceId,
        s.CreatedDateTime,
        s.ExpirationDateTime,
        s.Status == SubscriptionStatus.Active ? "active" : "invalid");
}
