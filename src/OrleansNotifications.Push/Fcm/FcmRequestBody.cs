using System.Text;
using System.Text.Json.Nodes;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.Fcm;

/// <summary>Maps a <see cref="PushMessage"/> to the FCM HTTP v1 <c>messages:send</c> body.</summary>
internal static class FcmRequestBody
{
    // FCM caps ttl at four weeks and rejects larger values.
    private const long MaxTtlSeconds = 28 * 24 * 3600;

    // FCM refuses payloads over 4096 bytes; rawContent gives way first (the client can fetch it), then the body is shortened.
    private const int MaxPayloadBytes = 4096;

    public static JsonObject Create(string registrationToken, PushMessage message, DateTimeOffset now)
    {
        var visual = message.Kind == PushMessageKind.Notification ? message.Notification?.Payload.VisualContent : null;
        var highPriority = message.Kind == PushMessageKind.Notification && message.Priority == Priority.High;
        var ttl = Math.Clamp((long)(message.ExpiresAt - now).TotalSeconds, 0, MaxTtlSeconds);

        var android = new JsonObject
        {
            ["priority"] = highPriority ? "HIGH" : "NORMAL",
            ["ttl"] = $"{ttl}s",
        };
        if (message.CollapseKey is { } collapseKey)
        {
            android["collapse_key"] = collapseKey;
        }

        var data = Data(message, includeRawContent: true);
        var notification = visual is null ? null : Notification(visual);
        if (!Fits(data, notification))
        {
            data = Data(message, includeRawContent: false);
        }

        if (visual is not null && !Fits(data, notification))
        {
            notification = Notification(PayloadBudget.ShortenBody(visual, shorter => Fits(data, Notification(shorter))));
        }

        var body = new JsonObject { ["token"] = registrationToken, ["android"] = android, ["data"] = data };
        if (notification is not null)
        {
            body["notification"] = notification;
        }

        return new JsonObject { ["message"] = body };
    }

    private static JsonObject Data(PushMessage message, bool includeRawContent)
    {
        // FCM data values must all be strings.
        var data = new JsonObject
        {
            ["kind"] = WireNames.Of(message.ChangeKind),
            ["notificationId"] = message.NotificationId,
            ["sequence"] = message.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (message.Kind == PushMessageKind.StateSync)
        {
            if (message.Notification is { } n)
            {
                data["readState"] = PushWireNames.Of(n.ReadState);
                data["userActionState"] = PushWireNames.Of(n.UserActionState);
            }
        }
        else if (includeRawContent && message.Notification?.Payload.RawContent is { } raw)
        {
            data["rawContent"] = raw;
        }

        return data;
    }

    private static JsonObject Notification(VisualContent visual)
    {
        var notification = new JsonObject { ["title"] = visual.Title };
        if (visual.Body is { } text)
        {
            notification["body"] = text;
        }

        return notification;
    }

    private static bool Fits(JsonObject data, JsonObject? notification) => Size(data) + Size(notification) <= MaxPayloadBytes;

    private static int Size(JsonNode? node) => node is null ? 0 : Encoding.UTF8.GetByteCount(node.ToJsonString(PayloadBudget.Json));
}
