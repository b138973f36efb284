using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.Apns;

/// <summary>Maps a <see cref="PushMessage"/> to an APNs provider API request (headers and JSON payload).</summary>
internal static class ApnsRequest
{
    // APNs refuses payloads over 4096 bytes (PayloadTooLarge); rawContent gives way first (the client can fetch it), then the
    // body is shortened.
    private const int MaxPayloadBytes = 4096;

    // apns-collapse-id may not exceed 64 bytes (BadCollapseId).
    private const int MaxCollapseIdBytes = 64;

    public static HttpRequestMessage Create(Uri baseUrl, string deviceToken, PushMessage message, ApnsCredentials credentials, string providerToken)
    {
        var visual = message.Kind == PushMessageKind.Notification ? message.Notification?.Payload.VisualContent : null;
        var payload = Payload(message, visual, includeRawContent: true);
        if (!Fits(payload))
        {
            payload = Payload(message, visual, includeRawContent: false);
        }

        if (visual is not null && !Fits(payload))
        {
            visual = PayloadBudget.ShortenBody(visual, shorter => Fits(Payload(message, shorter, includeRawContent: false)));
            payload = Payload(message, visual, includeRawContent: false);
        }

        // http:// (tests) then means h2c with prior knowledge, https:// negotiates h2 by ALPN; APNs speaks nothing else.
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl.AbsoluteUri.TrimEnd('/')}/3/device/{Uri.EscapeDataString(deviceToken)}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(payload.ToJsonString(PayloadBudget.Json), Encoding.UTF8, "application/json"),
        };
        var headers = request.Headers;
        headers.Authorization = new AuthenticationHeaderValue("bearer", providerToken);
        headers.Add("apns-topic", credentials.BundleId);
        headers.Add("apns-push-type", visual is null ? "background" : "alert");

        // Background pushes must use priority 5; APNs rejects 10 for them.
        headers.Add("apns-priority", visual is not null && message.Priority == Priority.High ? "10" : "5");
        headers.Add("apns-expiration", Math.Max(0, message.ExpiresAt.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture));
        if (message.CollapseKey is { } collapseKey)
        {
            headers.Add("apns-collapse-id", CollapseId(collapseKey));
        }

        return request;
    }

    private static bool Fits(JsonObject payload) => Encoding.UTF8.GetByteCount(payload.ToJsonString(PayloadBudget.Json)) <= MaxPayloadBytes;

    private static JsonObject Payload(PushMessage message, VisualContent? visual, bool includeRawContent)
    {
        JsonObject aps;
        if (visual is null)
        {
            aps = new JsonObject { ["content-available"] = 1 };
        }
        else
        {
            var alert = new JsonObject { ["title"] = visual.Title };
            if (visual.Body is { } body)
            {
                alert["body"] = body;
            }

            aps = new JsonObject { ["alert"] = alert, ["sound"] = "default" };
        }

        var payload = new JsonObject
        {
            ["aps"] = aps,
            ["kind"] = WireNames.Of(message.ChangeKind),
            ["notificationId"] = message.NotificationId,
            ["sequence"] = message.Sequence,
        };
        if (message.Kind == PushMessageKind.StateSync)
        {
            if (message.Notification is { } n)
            {
                payload["readState"] = PushWireNames.Of(n.ReadState);
                payload["userActionState"] = PushWireNames.Of(n.UserActionState);
            }
        }
        else if (includeRawContent && message.Notification?.Payload.RawContent is { } raw)
        {
            payload["rawContent"] = raw;
        }

        return payload;
    }

    // A longer appNotificationId still has to collapse onto itself: its hash is stable and fits.
    /// <summary>
    /// The app's key as is when it can be sent as it is; otherwise its hash. It is a header value, so only printable ASCII:
    /// an <c>appNotificationId</c> may hold any character, and one with a line break would make the request invalid.
    /// </summary>
    private static string CollapseId(string collapseKey) =>
        collapseKey.Length <= MaxCollapseIdBytes && !collapseKey.AsSpan().ContainsAnyExceptInRange(' ', '~')
            ? collapseKey
            : Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(collapseKey)));
}
