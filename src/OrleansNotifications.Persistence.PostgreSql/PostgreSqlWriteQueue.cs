using System.Data;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>
/// Group commit, as <c>SqliteWriteQueue</c>: each of <see cref="PostgreSqlStorageOptions.Writers"/> loops takes everything
/// queued (up to <see cref="PostgreSqlStorageOptions.MaxBatchSize"/>), runs it in a single transaction on its own connection, commits, and
/// only then completes each caller's task. Under load many grains share one commit (one WAL flush); alone, a write commits
/// at once. If one write in a batch throws, the batch is rolled back and each write is retried in a transaction of its own,
/// so a bad write cannot take its neighbours down with it.
/// Guarded writes (user change sets) share round trips too: every guard of the group goes in one batch, then every statement
/// of the writes whose guard held in a second. A loop waits for each round trip, so round trips, not the database, would
/// otherwise bound it (measured: two per publish capped one loop at ~2,200/s with PostgreSQL mostly idle).
/// </summary>
public sealed partial class PostgreSqlWriteQueue : IDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>();
    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlStorageOptions _options;
    private readonly ILogger<PostgreSqlWriteQueue> _logger;
    private readonly Task[] _writers;
    private long _transactions;
    private long _writes;

    public PostgreSqlWriteQueue(PostgreSqlDatabase database, IOptions<PostgreSqlStorageOptions> options, ILogger<PostgreSqlWriteQueue> logger)
    {
        _database = database;
        _options = options.Value;
        _logger = logger;
        _writers = [.. Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Transactions committed so far (for tests and metrics: fewer than <see cref="Writes"/> means batching works).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="work"/> inside a shared transaction; the task completes after the commit.</summary>
    public Task<T> WriteAsync<T>(Func<PostgreSqlSession, Task<T>> work)
    {
        var write = new PendingWrite<T>(work);
        if (!_queue.Writer.TryWrite(write))
        {
            return Task.FromException<T>(new StorageUnavailableException("The storage writer has stopped."));
        }

        return write.Completion;
    }

    private async Task RunAsync()
    {
        var loop = new LoopState();
        NpgsqlConnection? connection = null;
        var batch = new List<PendingWrite>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    loop.Committing = false;
                    connection ??= await _database.DataSource.OpenConnectionAsync();
                    var session = new PostgreSqlSession(connection);
                    if (!await TryCommitAsync(loop, session, batch))
                    {
                        foreach (var write in batch)
                        {
                            await TryCommitAsync(loop, session, [write]);
                        }
                    }

                    break;
                }
                catch (Exception exception)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    // A pooled connection may have died while idle (server restart, failover). If it broke before a commit
                    // was sent, the server rolled back everything: the unfinished writes can safely go once more on a new one.
                    batch.RemoveAll(write => write.IsDone);
                    if (attempt == 1 && !loop.Committing)
                    {
                        LogReconnecting(_logger, exception);
                        _database.DataSource.Clear();
                        continue;
                    }

                    // The connection itself failed (server down, network) or a commit's outcome is unknown: fail what is left.
                    LogWriterFailed(_logger, exception);
                    foreach (var write in batch)
                    {
                        write.Fail(PostgreSqlDatabase.Unavailable(exception));
                    }

                    break;
                }
            }

            batch.Clear();
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs <paramref name="addStatements"/>'s statements in a shared transaction if <paramref name="addGuard"/>'s single
    /// statement affects exactly one row; completes with whether it did, after the commit.
    /// </summary>
    public Task<bool> WriteGuardedAsync(Action<NpgsqlBatch> addGuard, Action<NpgsqlBatch> addStatements)
    {
        var write = new GuardedWrite(addGuard, addStatements);
        if (!_queue.Writer.TryWrite(write))
        {
            return Task.FromException<bool>(new StorageUnavailableException("The storage writer has stopped."));
        }

        return write.Completion;
    }

    /// <summary>
    /// Runs the writes in one transaction. False if one threw (all rolled back, none completed, unless it was alone). Throws
    /// if the connection broke: then no write can succeed on it.
    /// </summary>
    private async Task<bool> TryCommitAsync(LoopState loop, PostgreSqlSession session, List<PendingWrite> writes)
    {
        await using var transaction = await session.Connection.BeginTransactionAsync();
        session.Transaction = transaction;
        try
        {
            List<GuardedWrite>? guarded = null;
            foreach (var write in writes)
            {
                if (write is GuardedWrite g)
                {
                    (guarded ??= []).Add(g);
                }
                else
                {
                    await write.ExecuteAsync(session);
                }
            }

            if (guarded is not null)
            {
                await GuardedWrite.ExecuteAllAsync(session, guarded);
            }

            loop.Committing = true;
            await transaction.CommitAsync();
            loop.Committing = false;
        }
        catch (Exception exception) when (session.Connection.State == ConnectionState.Open)
        {
            await transaction.RollbackAsync();
            if (writes.Count > 1)
            {
                return false;
            }

            // A PostgreSQL failure is the store's (503); anything else is the write's own fault and reaches its caller as is.
            writes[0].Fail(exception is NpgsqlException ? PostgreSqlDatabase.Unavailable(exception) : exception);
            return true;
        }
        finally
        {
            session.Transaction = null;
        }

        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writes, writes.Count);
        foreach (var write in writes)
        {
            write.Complete();
        }

        return true;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        Task.WaitAll(_writers, TimeSpan.FromSeconds(10));
    }

    /// <summary>Whether a loop's commit was sent: if its connection then breaks, the commit's outcome is unknown.</summary>
    private sealed class LoopState
    {
        public bool Committing { get; set; }
    }

    private abstract class PendingWrite
    {
        public abstract Task ExecuteAsync(PostgreSqlSession session);

        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract bool IsDone { get; }
    }

    private sealed class PendingWrite<T>(Func<PostgreSqlSession, Task<T>> work) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Completion => _completion.Task;

        public override async Task ExecuteAsync(PostgreSqlSession session) => _result = await work(session);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public override bool IsDone => _completion.Task.IsCompleted;
    }

    private sealed class GuardedWrite(Action<NpgsqlBatch> addGuard, Action<NpgsqlBatch> addStatements) : PendingWrite
    {
        private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Action<NpgsqlBatch> _addGuard = addGuard;
        private readonly Action<NpgsqlBatch> _addStatements = addStatements;
        private bool _held;

        public Task<bool> Completion => _completion.Task;

        /// <summary>Two round trips for any number of guarded writes: all guards, then the statements of those that held.</summary>
        public static async Task ExecuteAllAsync(PostgreSqlSession session, List<GuardedWrite> writes)
        {
            await using (var guards = session.Batch())
            {
                foreach (var write in writes)
                {
                    write._addGuard(guards);
                }

                await guards.ExecuteNonQueryAsync();
                for (var i = 0; i < writes.Count; i++)
                {
                    writes[i]._held = guards.BatchCommands[i].RecordsAffected == 1;
                }
            }

            await using var statements = session.Batch();
            foreach (var write in writes.Where(write => write._held))
            {
                write._addStatements(statements);
            }

            if (statements.BatchCommands.Count > 0)
            {
                await statements.ExecuteNonQueryAsync();
            }
        }

        public override Task ExecuteAsync(PostgreSqlSession session) => ExecuteAllAsync(session, [this]);

        public override void Complete() => _completion.TrySetResult(_held);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);

        public override bool IsDone => _completion.Task.IsCompleted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL writer's connection broke before the commit; retrying the batch on a new one")]
    private static partial void LogReconnecting(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The PostgreSQL writer failed; the batch was not committed")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);
}
