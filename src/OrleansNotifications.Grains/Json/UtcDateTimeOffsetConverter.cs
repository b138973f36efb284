using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Grains.Json;

/// <summary>Writes instants as UTC with millisecond precision and a 'Z' (<c>2026-11-22T12:00:00.000Z</c>), the form Graph used.</summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
