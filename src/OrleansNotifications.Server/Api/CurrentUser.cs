using OrleansNotifications.Grains;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Validation;

namespace OrleansNotifications.Server.Api;

/// <summary>
/// The user a request acts on: <c>{userId}</c> of the caller's app on app routes, the token's own user on <c>/v1/me</c>.
/// Scoping by the token's app is what keeps app A away from app B's users: their rows are simply not addressable.
/// </summary>
public readonly record struct CurrentUser(UserKey Key)
{
    public static ValueTask<CurrentUser> BindAsync(HttpContext context) =>
        ValueTask.FromResult(new CurrentUser(context.Request.RouteValues.TryGetValue("userId", out var userId)
            ? new UserKey(context.User.AppId()!, (string)userId!)
            : context.User.TokenUser()));

    /// <summary>Where this user's resources live on the app routes (Location headers point there).</summary>
    public string Path => $"/v1/users/{Uri.EscapeDataString(Key.UserId)}";

    /// <summary>Rejects a malformed <c>{userId}</c> before any handler runs.</summary>
    public static ValueTask<object?> ValidateRouteUserId(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Request.RouteValues.TryGetValue("userId", out var userId) && !Identifiers.IsUserId(userId as string)
            ? ValueTask.FromResult<object?>(Problems.Invalid("userId", $"Must be {Identifiers.UserIdRule}."))
            : next(context);
}
