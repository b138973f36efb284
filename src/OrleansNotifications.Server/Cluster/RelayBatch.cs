using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Cluster;

/// <summary>Changes of one user for some of its connections held by another node (<c>POST /internal/relay</c>).</summary>
public sealed record RelayBatch(string UserGrainKey, IReadOnlyList<string> ConnectionIds, IReadOnlyList<JsonElement> Changes);

/// <summary>The connections the receiving node does not hold (any more): the sender tells the user's grain to forget them.</summary>
public sealed record RelayAnswer(IReadOnlyList<string> Gone);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RelayBatch))]
[JsonSerializable(typeof(RelayAnswer))]
internal sealed partial class RelayJsonContext : JsonSerializerContext;
