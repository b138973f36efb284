using Microsoft.Data.Sqlite;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// An open connection and its prepared commands. SQLite parses and plans a statement once per command object, so reusing
/// commands keeps the per-request cost to binding and stepping. Used by one thread at a time: the writer has its own
/// session, reads rent one from <see cref="SqliteDatabase"/>.
/// </summary>
public sealed class SqliteSession(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = [];
    private readonly Dictionary<string, SqliteStatement> _statements = [];

    internal SqliteTransaction? Transaction { get; set; }

    internal SqliteConnection Connection => connection;

    /// <summary>A prepared command for <paramref name="sql"/>, parameters cleared, enlisted in the current transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.Command(sql);
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        command.Transaction = Transaction;
        return command;
    }

    /// <summary>
    /// A prepared statement bound through SQLite's C API, for the statements of every publish (see <see cref="SqliteStatement"/>);
    /// it runs in the current transaction.
    /// </summary>
    public SqliteStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = SqliteStatement.Prepare(connection, sql);
            _statements[sql] = statement;
        }

        return statement;
    }

    /// <summary>Runs <paramref name="read"/> in one deferred transaction: every statement sees the same snapshot.</summary>
    public T Snapshot<T>(Func<T> read)
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        Transaction = transaction;
        try
        {
            return read();
        }
        finally
        {
            Transaction = null;
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        connection.Dispose();
    }
}
