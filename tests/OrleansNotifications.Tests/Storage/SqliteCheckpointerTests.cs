using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Storage;

public sealed class SqliteCheckpointerTests : IDisposable
{
    private const int RestartFrames = 64;
    private const int FrameBytes = 4096 + 24;

    private readonly TempDirectory _data = new();
    private readonly SqliteDatabase _database;

    public SqliteCheckpointerTests() =>
        _database = new SqliteDatabase(Options.Create(new SqliteStorageOptions
        {
            ConnectionString = $"Data Source={Path.Combine(_data.Path, "wal.db")}",
        }));

    private string WalFile => Path.Combine(_data.Path, "wal.db-wal");

    [Fact]
    public void WhenPassiveNeverCatchesUp_TheWriter_RestartsTheWalItself_AtTwiceTheThreshold()
    {
        // No PASSIVE thread: the state a loaded machine left the writer in when the WAL reached 228 MiB in CI. Only the
        // writer's overdue RESTART can keep the WAL bounded now.
        using var checkpointer = new SqliteCheckpointer(_database, RestartFrames, NullLogger.Instance, copyInBackground: false);
        using var writer = _database.Open();
        Execute(writer, """
            PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
            CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX rows_body ON rows (body);
            """);

        const int transactions = 400, rowsEach = 20;
        long largestWal = 0, largestTransaction = 0;
        for (var t = 0; t < transactions; t++)
        {
            var framesBefore = SqliteCheckpointer.FramesWrittenSinceRestart(writer);
            using (var transaction = writer.BeginTransaction())
            {
                for (var r = 0; r < rowsEach; r++)
                {
                    Execute(writer, $"INSERT INTO rows (body) VALUES ('{Guid.NewGuid()}{new string('x', 200)}')");
                }

                transaction.Commit();
            }

            largestTransaction = Math.Max(largestTransaction, SqliteCheckpointer.FramesWrittenSinceRestart(writer) - framesBefore);
            checkpointer.Committed(writer);
            largestWal = Math.Max(largestWal, new FileInfo(WalFile).Length);
        }

        // 400 transactions write thousands of frames; restarted once a commit takes it to 128, the WAL never holds more than
        // 127 and one more transaction. How many frames that is varies from run to run (20 to 70 here: the index on random
        // text deepens, and a page split writes several pages), so the bound takes the largest this run wrote.
        Assert.True(checkpointer.Restarts >= 5, $"{checkpointer.Restarts} restarts");
        Assert.True(largestWal / FrameBytes <= 2 * RestartFrames - 1 + largestTransaction,
            $"the WAL reached {largestWal / FrameBytes} frames; the largest transaction wrote {largestTransaction}");
        using var count = writer.CreateCommand();
        count.CommandText = "SELECT count(*) FROM rows";
        Assert.Equal((long)transactions * rowsEach, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public void AtAModerateCommitRate_Passive_CopiesOncePerInterval_NotAfterEveryCommit()
    {
        // A commit every millisecond or so, as at 1,000 publishes/s: copying after each one rewrote the same index pages
        // into the database file (and fsynced it) at every commit. Once caught up, PASSIVE waits out its interval.
        using var checkpointer = new SqliteCheckpointer(_database, restartFrames: 1 << 20, NullLogger.Instance);
        using var writer = _database.Open();
        Execute(writer, """
            PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = OFF;
            CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
            """);

        const int commits = 300;
        var clock = Stopwatch.StartNew();
        for (var c = 0; c < commits; c++)
        {
            Execute(writer, $"INSERT INTO rows (body) VALUES ('{c}')");
            checkpointer.Committed(writer);
            Thread.Sleep(1);
        }

        var elapsed = clock.Elapsed;
        var passives = checkpointer.Passives;
        var frames = SqliteCheckpointer.FramesWrittenSinceRestart(writer);
        // Once caught up it waits, so it starts at most once per interval, once per CopyAfterFrames the writer appended, and
        // once at start. Each of those may find a commit landing while it copies, leave that commit's frames, and go once
        // more at once to catch up (a loaded machine interleaves them more often): twice that, still far below a PASSIVE
        // per commit (a wake after every commit made 301 here, a 1 ms wait 308).
        var atMost = 2 * ((long)(elapsed / SqliteCheckpointer.CopyInterval) + frames / SqliteCheckpointer.CopyAfterFrames + 1);
        Assert.True(passives <= atMost,
            $"{passives} PASSIVE checkpoints for {commits} commits ({frames} frames) in {elapsed.TotalMilliseconds:F0} ms");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
