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
    /// encrypted body (the client fetches the notification then); null when even that does not fit.
    /// </summary>
    public static byte[]? Create(PushMessage message)
    {
        var full = Write(message, message.Notification);
        if (full.Length <= WebPushEncryption.MaxPlaintextLength)
        {
            return full;
        }

        if (message.Notification is not { Payload.RawContent: not null } notification)
        {
            return null;
        }

        var trimmed = Write(message, notification with { Payload = notification.Payload with { RawContent = null } });
        return trimmed.Length <= WebPushEncryption.MaxPlaintextLength ? trimmed : null;
    }

    private static byte[] Write(PushMessage message, Notification? notification)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
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
