using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Storage;

/// <summary>
/// A notification row: the resource as stored JSON, the fingerprint of the body that published it, and the sequence of that
/// publish, which orders history newest-first (a replacement counts as a new publish).
/// </summary>
public sealed class StoredNotification
{
    private Notification? _resource;

    [JsonConstructor]
    public StoredNotification(byte[] json, byte[] contentHash, long publishedSequence)
    {
        Json = json;
        ContentHash = contentHash;
        PublishedSequence = publishedSequence;
    }

    public StoredNotification(Notification resource, byte[] contentHash, long publishedSequence)
        : this(JsonSerializer.SerializeToUtf8Bytes(resource, GrainsJsonContext.Default.Notification), contentHash, publishedSequence) =>
        _resource = resource;

    public byte[] Json { get; }

    public byte[] ContentHash { get; }

    public long PublishedSequence { get; }

    [JsonIgnore]
    public Notification Resource => _resource ??= JsonSerializer.Deserialize(Json, GrainsJsonContext.Default.Notification)!;
}
