using System.Data;
using Npgsql;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>
/// An open connection and its current transaction, if any. Used by one caller at a time: the writer keeps its own session,
/// reads take one on a pooled connection from <see cref="PostgreSqlDatabase"/>.
/// </summary>
public sealed class PostgreSqlSession(NpgsqlConnection connection)
{
    internal NpgsqlTransaction? Transaction { get; set; }

    internal NpgsqlConnection Connection => connection;

    /// <summary>A command enlisted in the current transaction; the Execute/Read extensions dispose it.</summary>
    public NpgsqlCommand Command(string sql) => new(sql, connection, Transaction);

    /// <summary>Statements sent in one round trip, enlisted in the current transaction.</summary>
    public NpgsqlBatch Batch() => new(connection, Transaction);

    /// <summary>Runs <paramref name="read"/> in one repeatable-read transaction: every statement sees the same snapshot.</summary>
    public async Task<T> SnapshotAsync<T>(Func<Task<T>> read)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        Transaction = transaction;
        try
        {
            return await read();
        }
        finally
        {
            Transaction = null;
        }
    }
}
