using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>Opens connections to the embedded database, runs reads, and turns SQLite failures into <see cref="StorageUnavailableException"/>.</summary>
public sealed class SqliteDatabase(IOptions<SqliteStorageOptions> options) : IStorageHealth, IDisposable
{
    private const int MaxIdleSessions = 16;
    private readonly ConcurrentBag<SqliteSession> _idle = [];

    public string ConnectionString { get; } = options.Value.ConnectionString;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Runs a read on a pooled session with prepared statements; WAL lets reads proceed while the writer commits. Reads are
    /// synchronous (so is SQLite), short, and keyed by user, so a small pool serves any number of callers.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<SqliteSession, T> read)
    {
        SqliteSession? session = null;
        try
        {
            session = _idle.TryTake(out var pooled) ? pooled : new SqliteSession(Open());
            var result = read(session);
            if (_idle.Count < MaxIdleSessions)
            {
                _idle.Add(session);
                session = null;
            }

            return Task.FromResult(result);
        }
        catch (SqliteException exception)
        {
            return Task.FromException<T>(Unavailable(exception));
        }
        finally
        {
            session?.Dispose();
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(session => session.Command("SELECT 1").ExecuteScalar() is 1L);
        }
        catch (StorageUnavailableException)
        {
            return false;
        }
    }

    public static StorageUnavailableException Unavailable(Exception exception) =>
        new($"SQLite storage failed: {exception.Message}", exception);
}
