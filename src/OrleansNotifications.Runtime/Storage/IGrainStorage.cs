namespace OrleansNotifications.Runtime.Storage;

/// <summary>Stored state of one grain: serialised payload plus the version it was written at.</summary>
public sealed record GrainStateRecord(byte[] Payload, string Etag);

/// <summary>Grain state storage with optimistic concurrency, implemented by each storage provider.</summary>
public interface IGrainStorage
{
    Task<GrainStateRecord?> ReadAsync(GrainId grain, string stateName);

    /// <summary>
    /// Writes the state if the stored version still equals <paramref name="expectedEtag"/> (null: no state stored yet) and returns
    /// the new version; otherwise throws <see cref="InconsistentStateException"/> and changes nothing.
    /// </summary>
    Task<string> WriteAsync(GrainId grain, string stateName, byte[] payload, string? expectedEtag);

    /// <summary>Deletes the state under the same compare-and-swap rule as <see cref="WriteAsync"/>.</summary>
    Task ClearAsync(GrainId grain, string stateName, string? expectedEtag);
}
