using System.Text.Json;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.WebPush;

/// <summary>What a Web Push message carries: the change entry <c>{ kind, notificationId, sequence, notification? }</c>.</summary>
internal static class WebPushPlaintext
{
    /// <summary>
    /// The change entry, without the notification's <c>rawContent</c> when the whole entry would not fit one 4096-byte
    /// encrypted body (the client fetches the notification then), and with its body shortened when even that does not fit.
    /// Null if nothing fits (a notification the API accepts always does).
    /// </summary>
    public static byte[]? Create(PushMessage message)
    {
        var notification = message.Notification;
        var plaintext = Write(message, notification);
        if (!Fits(plaintext) && notification is { Payload.RawContent: not null })
        {
            notification = notification with { Payload = notification.Payload with { RawContent = null } };
            plaintext = Write(message, notification);
        }

        if (!Fits(plaintext) && notification is { Payload.VisualContent: { } visual } withoutRaw)
        {
            Notification Showing(VisualContent shorter) => withoutRaw with { Payload = withoutRaw.Payload with { VisualContent = shorter } };
            plaintext = Write(message, Showing(PayloadBudget.ShortenBody(visual, shorter => Fits(Write(message, Showing(shorter))))));
        }

        return Fits(plaintext) ? plaintext : null;
    }

    private static bool Fits(byte[] plaintext) => plaintext.Length <= WebPushEncryption.MaxPlaintextLength;

    private static byte[] Write(PushMessage message, Notification? notification)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = PayloadBudget.Json.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", WireNames.Of(message.ChangeKind));
            writer.WriteString("notificationId", message.NotificationId);
            writer.WriteNumber("sequence", message.Sequence);
            if (notification is not null)
            {
                writer.WritePropertyName("notification");
                JsonSerializer.Serialize(writer, notification, GrainsJsonContext.Default.Notification);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
