using System.Text.Json;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Storage;

/// <summary>
/// A notification row: the resource as stored JSON, the fingerprint of the body that published it, and the sequence of that
/// publish, which orders history newest-first (a replacement counts as a new publish).
/// </summary>
public sealed class StoredNotification(byte[] json, byte[] contentHash, long publishedSequence)
{
    private Notification? _resource;

    public StoredNotification(Notification resource, byte[] contentHash, long publishedSequence)
        : this(JsonSerializer.SerializeToUtf8Bytes(resource, GrainsJsonContext.Default.Notification), contentHash, publishedSequence) =>
        _resource = resource;

    public byte[] Json { get; } = json;

    public byte[] ContentHash { get; } = contentHash;

    public long PublishedSequence { get; } = publishedSequence;

    public Notification Resource => _resource ??= JsonSerializer.Deserialize(Json, GrainsJsonContext.Default.Notification)!;
}
