using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// Group commit. SQLite has one writer, so every write goes through this queue: one thread takes everything queued
/// (up to <see cref="SqliteStorageOptions.MaxBatchSize"/>), runs it in a single transaction, commits, and only then
/// completes each caller's task. Under load many grains share one fsync; alone, a write commits at once.
/// If one write in a batch throws, the batch is rolled back and each write is retried in a transaction of its own, so a
/// bad write cannot take its neighbours down with it.
/// </summary>
public sealed partial class SqliteWriteQueue : IDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private readonly SqliteDatabase _database;
    private readonly SqliteStorageOptions _options;
    private readonly ILogger<SqliteWriteQueue> _logger;
    private readonly Thread _writer;
    private readonly SqliteCheckpointer _checkpointer;
    private long _transactions;
    private long _writes;

    public SqliteWriteQueue(SqliteDatabase database, IOptions<SqliteStorageOptions> options, ILogger<SqliteWriteQueue> logger)
    {
        _database = database;
        _options = options.Value;
        _logger = logger;
        _checkpointer = new SqliteCheckpointer(database, _options.WalRestartFrames, logger);
        _writer = new Thread(Run) { IsBackground = true, Name = "sqlite-group-commit" };
        _writer.Start();
    }

    /// <summary>Transactions committed so far (for tests and metrics: fewer than <see cref="Writes"/> means batching works).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>How many times the writer has restarted the WAL (for tests: it keeps doing so under load).</summary>
    public long WalRestarts => _checkpointer.Restarts;

    /// <summary>Runs <paramref name="work"/> inside a shared transaction; the task completes after the commit.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, T> work)
    {
        var write = new PendingWrite<T>(work);
        if (!_queue.Writer.TryWrite(write))
        {
            return Task.FromException<T>(new StorageUnavailableException("The storage writer has stopped."));
        }

        return write.Completion;
    }

    private void Run()
    {
        SqliteSession? context = null;
        var batch = new List<PendingWrite>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                context ??= OpenWriter();
                if (!TryCommit(context, batch))
                {
                    foreach (var write in batch)
                    {
                        TryCommit(context, [write]);
                    }
                }
            }
            catch (Exception exception)
            {
                // The connection itself failed (disk, file permissions): fail this batch, reopen for the next.
                LogWriterFailed(_logger, exception);
                foreach (var write in batch)
                {
                    write.Fail(SqliteDatabase.Unavailable(exception));
                }

                context?.Dispose();
                context = null;
            }

            batch.Clear();
        }

        context?.Dispose();
    }

    private SqliteSession OpenWriter()
    {
        var connection = _database.Open();
        // Checkpoints are the checkpointer's (SqliteCheckpointer). Its RESTART runs on this connection and waits at most
        // 100 ms for readers (short, keyed reads) to let go of the WAL; if they do not, it tries again a second later.
        // journal_size_limit is this connection's own: SQLite applies it on the writer's first commit after a restart, so
        // a WAL file left larger than the checkpointer's bound (by a reader that held restarts off) shrinks back to it.
        // Not to the restart size: the WAL normally ends a little past that, and appending is slower than overwriting.
        var walBytes = 2L * _options.WalRestartFrames * 4096;
        using (var pragma = connection.Command(
                   $"PRAGMA synchronous = {_options.Synchronous}; PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 100; " +
                   $"PRAGMA journal_size_limit = {walBytes};"))
        {
            pragma.ExecuteNonQuery();
        }

        return new SqliteSession(connection);
    }

    /// <summary>Runs the writes in one transaction. False if one threw (all rolled back, none completed, unless it was alone).</summary>
    private bool TryCommit(SqliteSession context, List<PendingWrite> writes)
    {
        using var transaction = context.Connection.BeginTransaction();
        context.Transaction = transaction;
        try
        {
            foreach (var write in writes)
            {
                write.Execute(context);
            }

            transaction.Commit();
        }
        catch (Exception exception)
        {
            transaction.Rollback();
            context.Transaction = null;
            if (writes.Count > 1)
            {
                return false;
            }

            // A SQLite failure is the store's (503); anything else is the write's own fault and reaches its caller as is.
            writes[0].Fail(exception is SqliteException ? SqliteDatabase.Unavailable(exception) : exception);
            return true;
        }

        context.Transaction = null;
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writes, writes.Count);
        foreach (var write in writes)
        {
            write.Complete();
        }

        _checkpointer.Committed(context.Connection);

        return true;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
        _checkpointer.Dispose();
    }

    private abstract class PendingWrite
    {
        public abstract void Execute(SqliteSession context);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteSession, T> work) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Completion => _completion.Task;

        public override void Execute(SqliteSession context) => _result = work(context);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The SQLite writer failed; the batch was not committed")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);
}
