using System.Text.Json.Serialization;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>The message of an exception that crossed nodes.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class GrainCallErrorContext : JsonSerializerContext;
