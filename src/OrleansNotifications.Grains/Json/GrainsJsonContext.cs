using System.Text.Json.Serialization;
using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Json;

/// <summary>Source-generated serialisation of the stored and served resources (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(Notification))]
public sealed partial class GrainsJsonContext : JsonSerializerContext;
