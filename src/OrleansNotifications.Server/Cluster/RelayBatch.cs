using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Cluster;

/// <summary>
/// Changes of one user for some of its connections held by another node (<c>POST /internal/relay</c>); with
/// <see cref="Close"/>, the user's grain is going away and the node closes those connections (their clients reconnect and Sync).
/// </summary>
public sealed record RelayBatch(string UserGrainKey, IReadOnlyList<string> ConnectionIds, IReadOnlyList<JsonElement> Changes, bool Close = false);

/// <summary>The connections the receiving node does not hold (any more): the sender tells the user's grain to forget them.</summary>
public sealed record RelayAnswer(IReadOnlyList<string> Gone);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RelayBatch))]
[JsonSerializable(typeof(RelayAnswer))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class RelayJsonContext : JsonSerializerContext;
