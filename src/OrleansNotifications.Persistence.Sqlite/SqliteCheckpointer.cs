using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// Copies committed WAL pages back into the database file from its own connection, concurrently with the writer
/// (a PASSIVE checkpoint takes no write lock), so the group-commit thread only ever appends to the WAL.
/// </summary>
public sealed partial class SqliteCheckpointer(SqliteDatabase database, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Checkpoint("PASSIVE");
            }
        }
        catch (OperationCanceledException)
        {
        }

        Checkpoint("TRUNCATE");
    }

    private void Checkpoint(string mode)
    {
        try
        {
            using var connection = database.Open();
            using var command = connection.Command($"PRAGMA wal_checkpoint({mode});");
            command.ExecuteNonQuery();
        }
        catch (SqliteException exception)
        {
            LogCheckpointFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite checkpoint failed; it is retried on the next tick")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
