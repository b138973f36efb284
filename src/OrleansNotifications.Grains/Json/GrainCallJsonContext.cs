using System.Text.Json.Serialization;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;

namespace OrleansNotifications.Grains.Json;

/// <summary>
/// Source-generated serialisation of every argument and result of the grain interfaces, for calls between nodes (local
/// calls never serialise). A type a grain method starts to use must be listed here; the transport refuses unknown ones.
/// </summary>
[JsonSourceGenerationOptions(Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(NotificationDraft))]
[JsonSerializable(typeof(NotificationPatch))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(UpdateResult))]
[JsonSerializable(typeof(ChangeFeedPage))]
[JsonSerializable(typeof(LiveConnection))]
[JsonSerializable(typeof(UserGrainStatus))]
public sealed partial class GrainCallJsonContext : JsonSerializerContext;
