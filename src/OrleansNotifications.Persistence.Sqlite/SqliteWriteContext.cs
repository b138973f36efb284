using Microsoft.Data.Sqlite;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>The writer's connection inside the current group transaction; commands are cached so statements stay prepared.</summary>
public sealed class SqliteWriteContext(SqliteConnection connection)
{
    private readonly Dictionary<string, SqliteCommand> _commands = [];

    internal SqliteTransaction? Transaction { get; set; }

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

    internal SqliteConnection Connection => connection;
}
