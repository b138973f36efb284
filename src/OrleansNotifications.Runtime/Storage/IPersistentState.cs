namespace OrleansNotifications.Runtime.Storage;

/// <summary>A grain's persistent state, as in Orleans: read on activation, written explicitly, guarded by its ETag.</summary>
public interface IPersistentState<TState> where TState : class, new()
{
    TState State { get; set; }

    /// <summary>The version last read or written; null when nothing is stored.</summary>
    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync();

    Task WriteStateAsync();

    Task ClearStateAsync();
}
