using System.Globalization;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Validation;

namespace OrleansNotifications.Server.Api;

/// <summary>The user's change feed: every change after a cursor, in sequence order.</summary>
public static class ChangesApi
{
    public static RouteGroupBuilder MapChanges(this RouteGroupBuilder group)
    {
        group.MapGet("/changes", Read);
        return group;
    }

    private static async Task<IResult> Read(CurrentUser user, INotificationStore store, string? since, string? top)
    {
        var errors = new ValidationErrors();
        long cursor = 0;
        if (since is not null && !long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
        {
            errors.Add("since", "Must be a sequence number (0 or more).");
        }

        var size = QueryValues.Top(top, errors);

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var page = await store.ReadChangesAsync(user.Key, cursor, size);
        if (page.CursorExpired)
        {
            var gone = Problems.Problem(StatusCodes.Status410Gone, "cursor-expired", "The cursor has expired.",
                "Changes after this cursor are no longer retained. Re-read /notifications, then continue from the sequence in this response.");
            gone.ProblemDetails.Extensions["sequence"] = page.CurrentSequence;
            return gone;
        }

        return new RawJsonResult(FeedJson.ChangePage(page, cursor));
    }
}
