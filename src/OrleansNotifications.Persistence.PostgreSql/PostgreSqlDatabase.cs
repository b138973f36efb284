using Microsoft.Extensions.Options;
using Npgsql;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>The pooled data source: runs reads and turns PostgreSQL failures into <see cref="StorageUnavailableException"/>.</summary>
public sealed class PostgreSqlDatabase : IStorageHealth, IDisposable
{
    public PostgreSqlDatabase(IOptions<PostgreSqlStorageOptions> options)
    {
        var connection = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString);
        if (connection.MaxAutoPrepare == 0)
        {
            // Every statement here is a constant string run over and over: let Npgsql prepare them once per connection,
            // as SqliteSession does, unless the operator chose otherwise (e.g. behind a pooler that cannot keep them).
            connection.MaxAutoPrepare = 64;
        }

        if (!options.Value.ConnectionString!.Contains("pool size", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql's default of 100 per node exhausts PostgreSQL's default max_connections (100) with a few nodes (measured:
            // "too many clients" with 3). A node needs one writer connection and a few concurrent reads.
            connection.MaxPoolSize = 20;
        }

        DataSource = NpgsqlDataSource.Create(connection);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Runs a read on a pooled connection; reads never wait for the writer (MVCC).</summary>
    public async Task<T> ReadAsync<T>(Func<PostgreSqlSession, Task<T>> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync();
                return await read(new PostgreSqlSession(connection));
            }
            catch (NpgsqlException exception) when (attempt == 1 && IsBrokenConnection(exception))
            {
                // After a server restart or failover every idle pooled connection is dead: drop them all, and since a read
                // changes nothing, try once more on a fresh one.
                DataSource.Clear();
            }
            catch (NpgsqlException exception)
            {
                throw Unavailable(exception);
            }
        }
    }

    /// <summary>The connection failed, as opposed to a statement that the server rejected.</summary>
    public static bool IsBrokenConnection(NpgsqlException exception) => exception is not PostgresException;

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = DataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken) is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public void Dispose() => DataSource.Dispose();

    public static StorageUnavailableException Unavailable(Exception exception) =>
        new($"PostgreSQL storage failed: {exception.Message}", exception);
}
