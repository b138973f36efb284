using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>Opens connections to the embedded database, runs reads, and turns SQLite failures into <see cref="StorageUnavailableException"/>.</summary>
public sealed class SqliteDatabase(IOptions<SqliteStorageOptions> options) : IStorageHealth
{
    public string ConnectionString { get; } = options.Value.ConnectionString;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Runs a read on a pooled connection. WAL lets reads proceed while the writer commits.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read)
    {
        try
        {
            using var connection = Open();
            return Task.FromResult(read(connection));
        }
        catch (SqliteException exception)
        {
            return Task.FromException<T>(Unavailable(exception));
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(connection => connection.Command("SELECT 1").ExecuteScalar() is 1L);
        }
        catch (StorageUnavailableException)
        {
            return false;
        }
    }

    public static StorageUnavailableException Unavailable(Exception exception) =>
        new($"SQLite storage failed: {exception.Message}", exception);
}
