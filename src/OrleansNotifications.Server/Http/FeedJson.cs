using System.Globalization;
using System.Text.Json;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;

namespace OrleansNotifications.Server.Http;

/// <summary>Builds list and change-feed bodies around stored resource JSON without re-serialising it.</summary>
public static class FeedJson
{
    public static byte[] NotificationList(IReadOnlyList<byte[]> items, string? nextLink) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("value");
        foreach (var item in items)
        {
            writer.WriteRawValue(item, skipInputValidation: true);
        }

        writer.WriteEndArray();
        if (nextLink is not null)
        {
            writer.WriteString("@odata.nextLink", nextLink);
        }

        writer.WriteEndObject();
    });

    /// <summary>
    /// A page of the change feed read after <paramref name="since"/>, as <c>GET /changes</c> and the hub's <c>Sync</c> both
    /// answer it: <c>nextSince</c> is the last entry's sequence, or the cursor itself when the page is empty.
    /// </summary>
    public static byte[] ChangePage(ChangeFeedPage page, long since) =>
        ChangePage(page.Changes, page.Changes.Count > 0 ? page.Changes[^1].Sequence : since, page.HasMore);

    private static byte[] ChangePage(IReadOnlyList<ChangeRecord> changes, long nextSince, bool hasMore) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("value");
        foreach (var change in changes)
        {
            WriteChange(writer, change);
        }

        writer.WriteEndArray();
        writer.WriteNumber("nextSince", nextSince);
        writer.WriteBoolean("hasMore", hasMore);
        writer.WriteEndObject();
    });

    /// <summary>One change-feed entry on its own (what the hub's <c>change</c> carries).</summary>
    public static byte[] Change(ChangeRecord change) => Write(writer => WriteChange(writer, change));

    /// <summary>A change-feed entry: <c>{ sequence, kind, notificationId, occurredDateTime, notification? }</c>.</summary>
    public static void WriteChange(Utf8JsonWriter writer, ChangeRecord change)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", change.Sequence);
        writer.WriteString("kind", WireNames.Of(change.Kind));
        writer.WriteString("notificationId", change.NotificationId);
        writer.WriteString("occurredDateTime",
            change.OccurredDateTime.UtcDateTime.ToString(UtcDateTimeOffsetConverter.Format, CultureInfo.InvariantCulture));
        if (change.NotificationJson is not null)
        {
            writer.WritePropertyName("notification");
            writer.WriteRawValue(change.NotificationJson, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
