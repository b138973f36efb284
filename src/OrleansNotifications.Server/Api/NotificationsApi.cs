using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Validation;

namespace OrleansNotifications.Server.Api;

/// <summary>History and state of a user's notifications: publish (app routes only), list, read, patch, delete.</summary>
public static class NotificationsApi
{
    /// <summary>Routes shared by <c>/v1/users/{userId}</c> (app token) and <c>/v1/me</c> (user token).</summary>
    public static RouteGroupBuilder MapNotificationReads(this RouteGroupBuilder group)
    {
        group.MapGet("/notifications", List);
        group.MapGet("/notifications/{id}", Get);
        group.MapPatch("/notifications/{id}", Patch);
        group.MapDelete("/notifications/{id}", Delete);
        return group;
    }

    /// <summary>App-only routes: publishing and deleting a whole group.</summary>
    public static RouteGroupBuilder MapNotificationPublishing(this RouteGroupBuilder group)
    {
        group.MapPost("/notifications", Publish);
        group.MapDelete("/notifications", DeleteGroup);
        return group;
    }

    /// <summary>Graph-compatible publish to the owner of a subscription: <c>POST /v1/notifications</c> with <c>X-UNS-ID</c>.</summary>
    public static async Task<IResult> PublishBySubscription(HttpContext context, ISubscriptionStore subscriptions, IGrainFactory grains, TimeProvider time)
    {
        var subscriptionId = context.Request.Headers["X-UNS-ID"].ToString();
        if (string.IsNullOrEmpty(subscriptionId))
        {
            return Problems.Invalid("X-UNS-ID", "The header is required: the id of the subscription to notify.");
        }

        var subscription = await subscriptions.GetAsync(subscriptionId, time.GetUtcNow());
        if (subscription is null || subscription.User.AppId != context.User.AppId())
        {
            return Problems.NotFound("No subscription of this app has that id.");
        }

        return await Publish(new CurrentUser(subscription.User), context.Request, grains, time);
    }

    private static async Task<IResult> Publish(CurrentUser user, HttpRequest request, IGrainFactory grains, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.NotificationCreateRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var errors = new ValidationErrors();
        var draft = NotificationValidator.Validate(body.Value!, time.GetUtcNow(), errors);
        if (draft is null)
        {
            return Problems.Validation(errors);
        }

        var result = await grains.GetGrain<IUserGrain>(user.Key.GrainKey).PublishAsync(draft);
        var notification = result.Notification;
        return new RawJsonResult(notification.Json,
            result.Outcome == PublishOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK)
        {
            ETag = ETagOf(notification.Resource.Sequence),
            Location = $"{user.Path}/notifications/{notification.Resource.Id}",
        };
    }

    private static async Task<IResult> List(
        CurrentUser user, HttpContext context, INotificationStore store, TimeProvider time,
        string? top, string? readState, string? userActionState, string? groupName, string? skipToken)
    {
        var errors = new ValidationErrors();
        var size = QueryValues.Top(top, errors);
        var read = QueryValues.ReadState(readState, errors);
        var action = QueryValues.UserActionState(userActionState, errors);
        if (groupName is { Length: 0 or > 64 })
        {
            errors.Add("groupName", "Must be 1–64 characters.");
        }

        long? before = null;
        if (skipToken is not null)
        {
            before = DecodeSkipToken(skipToken);
            if (before is null)
            {
                errors.Add("skipToken", "Not a skipToken this service issued; use @odata.nextLink as given.");
            }
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var page = await store.ListAsync(user.Key, new NotificationQuery(size, read, action, groupName, before), time.GetUtcNow());
        var nextLink = page.NextBefore is { } next ? NextLink(context.Request, EncodeSkipToken(next)) : null;
        return new RawJsonResult(FeedJson.NotificationList(page.Items, nextLink));
    }

    private static async Task<IResult> Get(CurrentUser user, string id, INotificationStore store, TimeProvider time)
    {
        var stored = await store.GetAsync(user.Key, id, time.GetUtcNow());
        return stored is null
            ? NotificationNotFound()
            : new RawJsonResult(stored.Json) { ETag = ETagOf(stored.Resource.Sequence) };
    }

    private static async Task<IResult> Patch(CurrentUser user, string id, HttpRequest request, IGrainFactory grains)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.NotificationPatchRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var patch = body.Value!;
        var errors = new ValidationErrors();
        errors.RejectUnknown(patch.Unknown);
        var read = QueryValues.ReadState(patch.ReadState, errors);
        var action = QueryValues.UserActionState(patch.UserActionState, errors);

        if (patch.ReadState is null && patch.UserActionState is null && !errors.Any)
        {
            errors.Add("body", "Send readState, userActionState or both.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var ifMatch = ParseIfMatch(request.Headers.IfMatch);
        var result = await grains.GetGrain<IUserGrain>(user.Key.GrainKey).UpdateAsync(id, new NotificationPatch(read, action), ifMatch);
        return result.Outcome switch
        {
            UpdateOutcome.NotFound => NotificationNotFound(),
            UpdateOutcome.PreconditionFailed => Problems.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed",
                "The notification has changed.", $"If-Match does not match the current ETag {ETagOf(result.Notification!.Resource.Sequence)}."),
            _ => new RawJsonResult(result.Notification!.Json) { ETag = ETagOf(result.Notification!.Resource.Sequence) },
        };
    }

    private static async Task<IResult> Delete(CurrentUser user, string id, IGrainFactory grains) =>
        await grains.GetGrain<IUserGrain>(user.Key.GrainKey).DeleteAsync(id) ? TypedResults.NoContent() : NotificationNotFound();

    private static async Task<IResult> DeleteGroup(CurrentUser user, string? groupName, IGrainFactory grains)
    {
        if (groupName is null or { Length: 0 or > 64 })
        {
            return Problems.Invalid("groupName", "Required (1–64 characters): only a whole group can be deleted at once.");
        }

        await grains.GetGrain<IUserGrain>(user.Key.GrainKey).DeleteGroupAsync(groupName);
        return TypedResults.NoContent();
    }

    private static IResult NotificationNotFound() => Problems.NotFound("The user has no unexpired notification with that id.");

    public static string ETagOf(long sequence) => $"\"{sequence.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The sequences an If-Match header lists (RFC 9110 §13.1.1: it matches when any of them is current). Null for no header or
    /// <c>*</c>; a tag that is not one of our strong ETags (weak, unquoted, not a number) matches nothing and is left out.
    /// </summary>
    private static long[]? ParseIfMatch(StringValues header)
    {
        var tags = header.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (tags.Count == 0 || tags.Contains("*"))
        {
            return null;
        }

        var sequences = new List<long>(tags.Count);
        foreach (var tag in tags)
        {
            if (tag.Length > 2 && tag[0] == '"' && tag[^1] == '"'
                && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && tag == ETagOf(sequence)) // strong comparison is of the opaque tag: "03" is not "3"
            {
                sequences.Add(sequence);
            }
        }

        return [.. sequences];
    }

    private static string EncodeSkipToken(long before) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("p" + before.ToString(CultureInfo.InvariantCulture)));

    private static long? DecodeSkipToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return text.StartsWith('p') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var before)
                ? before
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string NextLink(HttpRequest request, string skipToken)
    {
        // Query names bind case-insensitively, so a client's "SkipToken" must be replaced too, not repeated.
        var query = new QueryBuilder(request.Query.Where(q => !q.Key.Equals("skipToken", StringComparison.OrdinalIgnoreCase)))
        {
            { "skipToken", skipToken },
        };
        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query.ToQueryString());
    }
}
