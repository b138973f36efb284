using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// Copies the WAL back into the database file on a thread of its own, so the group-commit writer almost never does it.
/// With users at random a publish dirties pages of per-user indexes all over the file (five before schema 4, two in schema 4, one since 5),
/// and SQLite's own auto-checkpoint copied them back on the writer thread every 1,000 frames while every request waited
/// behind it (docs/BENCHMARKS.md: 18% more publishes per second flat out, and 5,000/s sustained where it was not, once
/// this thread does the copying).
/// Two kinds of checkpoint, both SQLite's:
/// - PASSIVE, on this thread: never blocks the writer or readers. Back to back while the WAL holds more than it has
///   copied; once it has caught up, again after <see cref="CopyInterval"/> or as soon as the writer has appended
///   <see cref="CopyAfterFrames"/> (which bounds each copy, so it does not hold up the writer's own fsyncs), and right
///   behind each commit only when a RESTART is due (below). Copying after every commit instead cost the server 4–18% more
///   CPU at 1,000 publishes/s, each small commit's pages copied and the database file fsynced on their own; flat out,
///   where PASSIVE rarely catches up, the two behave alike (docs/BENCHMARKS.md).
/// - RESTART, on the writer's thread right after a commit, once the WAL holds <see cref="SqliteStorageOptions.WalRestartFrames"/>
///   and PASSIVE has left little to copy: the next commit then starts the WAL from the beginning. Without it the WAL only
///   grows (PASSIVE never exactly catches up with a busy writer: 17 GB in four minutes in the first session), and a
///   RESTART from this thread would wait for a gap between groups that a busy writer never leaves.
///   When PASSIVE falls behind (a slow disk, a starved thread) and the WAL reaches twice the threshold, the writer waits
///   for the PASSIVE in progress and restarts the WAL anyway, copying the rest itself: publishes slow down to the speed
///   of the copy instead of the WAL growing without bound (a loaded CI machine once let it reach 228 MiB in a second).
/// A checkpoint never affects durability: every commit is already in the fsynced WAL.
/// </summary>
internal sealed partial class SqliteCheckpointer : IDisposable
{
    /// <summary>
    /// The writer restarts the WAL only when the last PASSIVE left at most this many frames. Its RESTART also copies what
    /// was committed since that PASSIVE began (about one PASSIVE's worth of groups), so it costs a few milliseconds.
    /// </summary>
    private const int LeftForTheWriterAtMost = 1024;

    internal static readonly TimeSpan CopyInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Frames (4 KiB each) the writer appends before it wakes a caught-up PASSIVE early: bounds each copy's burst.</summary>
    internal const int CopyAfterFrames = 256;

    /// <summary>After a RESTART that readers kept waiting, the writer tries again only this much later.</summary>
    private static readonly TimeSpan BusyBackoff = TimeSpan.FromSeconds(1);

    private readonly SqliteDatabase _database;
    private readonly int _restartFrames;
    private readonly ILogger _logger;
    private readonly Lock _checkpointing = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    /// <summary>What the last PASSIVE left to copy; unknown (so only an overdue RESTART runs) until the first one reports.</summary>
    private long _framesLeft = long.MaxValue;
    private long _restarts;
    private long _passives;
    /// <summary>The writer's frame count when it last woke this thread (the writer's alone: only <see cref="Committed"/> uses it).</summary>
    private long _framesAtWake;
    private long _nextRestartAttempt;

    /// <param name="copyInBackground">False only in tests: no PASSIVE thread, as if it could never keep up.</param>
    public SqliteCheckpointer(SqliteDatabase database, int restartFrames, ILogger logger, bool copyInBackground = true)
    {
        _database = database;
        _restartFrames = restartFrames;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpoint" };
        if (copyInBackground)
        {
            _thread.Start();
        }
    }

    /// <summary>How many times the writer has restarted the WAL (for tests: it keeps doing so under load).</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>PASSIVE checkpoints run so far (for tests: once caught up, one per <see cref="CopyInterval"/>, not one per commit).</summary>
    public long Passives => Interlocked.Read(ref _passives);

    /// <summary>
    /// Called by the writer after each commit, once the commit's callers are completed, on the writer's own connection:
    /// wakes this thread once <see cref="CopyAfterFrames"/> more frames have been appended; once the WAL is due for a restart,
    /// restarts it if PASSIVE has left little to copy, and otherwise wakes this thread after every commit until it has, so
    /// the RESTART (on the writer's thread) finds little left to copy. Waits for a PASSIVE checkpoint in
    /// progress only when the WAL is overdue (twice the threshold), and never throws: the commit before it is durable
    /// whatever happens here.
    /// </summary>
    public void Committed(SqliteConnection writer)
    {
        try
        {
            var frames = FramesWrittenSinceRestart(writer);
            if (frames < _restartFrames)
            {
                if (frames - _framesAtWake >= CopyAfterFrames)
                {
                    _framesAtWake = frames;
                    _wake.Set();
                }

                return;
            }

            var overdue = frames >= 2L * _restartFrames;
            var due = overdue || Interlocked.Read(ref _framesLeft) <= LeftForTheWriterAtMost;
            if (due && Environment.TickCount64 >= Interlocked.Read(ref _nextRestartAttempt) && Acquire(wait: overdue))
            {
                try
                {
                    if (RestartWal(writer))
                    {
                        _framesAtWake = 0;
                        return;
                    }
                }
                finally
                {
                    _checkpointing.Exit();
                }
            }

            _wake.Set();
        }
        catch (Exception exception) when (exception is SqliteException or ObjectDisposedException)
        {
            LogCheckpointFailed(_logger, exception); // the frames stay in the WAL for the next try
            BackOff();
        }
    }

    private bool Acquire(bool wait)
    {
        if (wait)
        {
            _checkpointing.Enter();
            return true;
        }

        return _checkpointing.TryEnter();
    }

    private bool RestartWal(SqliteConnection writer)
    {
        if (Checkpoint(writer, "RESTART").Busy)
        {
            BackOff(); // a reader held on past the writer's busy timeout: do not make every following commit wait for it too
            return false;
        }

        FramesWrittenSinceRestart(writer, reset: true);
        Interlocked.Increment(ref _restarts);
        return true;
    }

    /// <summary>
    /// The WAL frames the writer has appended since its last RESTART: SQLite's count of the pages this connection wrote,
    /// which in WAL mode are frames. Exact and free, where PASSIVE's count is as
    /// old as the last PASSIVE. It can only overstate: SQLite also starts the WAL over by itself once PASSIVE has copied
    /// all of it, and a RESTART then costs almost nothing.
    /// </summary>
    internal static long FramesWrittenSinceRestart(SqliteConnection writer, bool reset = false)
    {
        raw.sqlite3_db_status(writer.Handle, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, reset ? 1 : 0);
        return written;
    }

    private void BackOff() =>
        Interlocked.Exchange(ref _nextRestartAttempt, Environment.TickCount64 + (long)BusyBackoff.TotalMilliseconds);

    private void Run()
    {
        SqliteConnection? connection = null;
        long copiedBefore = -1;
        while (!_stopping)
        {
            try
            {
                connection ??= _database.Open();
                long log, copied;
                lock (_checkpointing)
                {
                    // Published under the lock, so a RESTART cannot slip in between and be overwritten by stale counts.
                    (_, log, copied) = Checkpoint(connection, "PASSIVE");
                    Interlocked.Exchange(ref _framesLeft, log - copied);
                    Interlocked.Increment(ref _passives);
                }

                // Wait when caught up, when the writer is to restart the WAL after its next commit, or when a reader's
                // snapshot keeps PASSIVE from copying further (no progress: do not spin).
                if (copied == log || copied == copiedBefore || (log >= _restartFrames && log - copied <= LeftForTheWriterAtMost))
                {
                    _wake.WaitOne(CopyInterval);
                }

                copiedBefore = copied;
            }
            catch (SqliteException exception)
            {
                // Nothing is lost: the frames stay in the WAL, and the next attempt (or SQLite on open) copies them.
                LogCheckpointFailed(_logger, exception);
                connection?.Dispose();
                connection = null;
                _wake.WaitOne(TimeSpan.FromSeconds(1));
            }
        }

        connection?.Dispose();
    }

    /// <summary>
    /// Whether the checkpoint could not finish (a RESTART that readers kept waiting past the busy timeout), the frames in
    /// the WAL, and how many of them are now in the database file.
    /// </summary>
    private static (bool Busy, long Log, long Copied) Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.Command($"PRAGMA wal_checkpoint({mode});");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2));
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        if (!_thread.IsAlive || _thread.Join(TimeSpan.FromSeconds(10)))
        {
            _wake.Dispose(); // only once the thread is gone: a checkpoint still running would wait on it
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A WAL checkpoint failed; it is retried")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
