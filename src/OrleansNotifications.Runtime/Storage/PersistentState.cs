using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansNotifications.Runtime.Storage;

internal sealed class PersistentState<TState>(IGrainStorage storage, GrainId grain, string stateName, JsonTypeInfo<TState> typeInfo)
    : IPersistentState<TState> where TState : class, new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync()
    {
        var record = await storage.ReadAsync(grain, stateName);
        State = record is null ? new TState() : JsonSerializer.Deserialize(record.Payload, typeInfo) ?? new TState();
        Etag = record?.Etag;
    }

    public async Task WriteStateAsync() =>
        Etag = await storage.WriteAsync(grain, stateName, JsonSerializer.SerializeToUtf8Bytes(State, typeInfo), Etag);

    public async Task ClearStateAsync()
    {
        await storage.ClearAsync(grain, stateName, Etag);
        Etag = null;
        State = new TState();
    }
}
