using System.Text.Json.Serialization.Metadata;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>A source-generated context that knows the argument and result types of some grain interfaces.</summary>
public sealed record GrainCallTypes(IJsonTypeInfoResolver Resolver);
