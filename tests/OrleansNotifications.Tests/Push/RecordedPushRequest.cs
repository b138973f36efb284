namespace OrleansNotifications.Tests.Push;

/// <summary>One request as the fake push service received it (header names lower-cased).</summary>
public sealed record RecordedPushRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);
