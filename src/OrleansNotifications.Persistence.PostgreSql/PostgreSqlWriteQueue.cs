using System.Data;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>
/// Group commit, as <c>SqliteWriteQueue</c>: one loop per node takes everything queued (up to
/// <see cref="PostgreSqlStorageOptions.MaxBatchSize"/>), runs it in a single transaction on its own connection, commits, and
/// only then completes each caller's task. Under load many grains share one commit (one WAL flush); alone, a write commits
/// at once. If one write in a batch throws, the batch is rolled back and each write is retried in a transaction of its own,
/// so a bad write cannot take its neighbours down with it.
/// </summary>
public sealed partial class PostgreSqlWriteQueue : IDisposable
{
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlStorageOptions _options;
    private readonly ILogger<PostgreSqlWriteQueue> _logger;
    private readonly Task _writer;
    private long _transactions;
    private long _writes;
    private bool _committing;

    public PostgreSqlWriteQueue(PostgreSqlDatabase database, IOptions<PostgreSqlStorageOptions> options, ILogger<PostgreSqlWriteQueue> logger)
    {
        _database = database;
        _options = options.Value;
        _logger = logger;
        _writer = Task.Run(RunAsync);
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
                    _committing = false;
                    connection ??= await _database.DataSource.OpenConnectionAsync();
                    var session = new PostgreSqlSession(connection);
                    if (!await TryCommitAsync(session, batch))
                    {
                        foreach (var write in batch)
                        {
                            await TryCommitAsync(session, [write]);
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
                    if (attempt == 1 && !_committing)
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
    /// Runs the writes in one transaction. False if one threw (all rolled back, none completed, unless it was alone). Throws
    /// if the connection broke: then no write can succeed on it.
    /// </summary>
    private async Task<bool> TryCommitAsync(PostgreSqlSession session, List<PendingWrite> writes)
    {
        await using var transaction = await session.Connection.BeginTransactionAsync();
        session.Transaction = transaction;
        try
        {
            foreach (var write in writes)
            {
                await write.ExecuteAsync(session);
            }

            _committing = true;
            await transaction.CommitAsync();
            _committing = false;
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
        _writer.Wait(TimeSpan.FromSeconds(10));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL writer's connection broke before the commit; retrying the batch on a new one")]
    private static partial void LogReconnecting(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The PostgreSQL writer failed; the batch was not committed")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);
}
