namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>Embedded storage settings.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>A Microsoft.Data.Sqlite connection string; the default is <c>notifications.db</c> in the data directory.</summary>
    public required string ConnectionString { get; set; }

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for the writer. <c>FULL</c> (default) fsyncs the WAL at every commit, so an
    /// acknowledged write survives power loss; <c>NORMAL</c> survives a process crash only.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>Most user writes grouped into one transaction.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// WAL frames (4 KiB pages) after which the WAL starts again from the beginning, once copied back: 32,768 (128 MiB) lets
    /// a page that many commits rewrite be copied back less often. The WAL file stays somewhat above that size, and never
    /// passes twice it by more than one group commit: there the writer restarts the WAL whatever it costs.
    /// </summary>
    public int WalRestartFrames { get; set; } = 32768;
}
