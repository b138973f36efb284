using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// JSON that is already serialised (stored resources, change entries), passed through the hub protocol as it is, so a
/// change relayed to many connections is serialised once.
/// </summary>
[JsonConverter(typeof(Converter))]
public sealed class HubJson(byte[] utf8Json)
{
    public byte[] Utf8Json { get; } = utf8Json;

    private sealed class Converter : JsonConverter<HubJson>
    {
        public override HubJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("HubJson is only ever sent.");

        public override void Write(Utf8JsonWriter writer, HubJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8Json, skipInputValidation: true);
    }
}
