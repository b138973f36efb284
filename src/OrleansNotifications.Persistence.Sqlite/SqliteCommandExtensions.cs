using Microsoft.Data.Sqlite;

namespace OrleansNotifications.Persistence.Sqlite;

internal static class SqliteCommandExtensions
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static SqliteCommand ForUser(this SqliteCommand command, OrleansNotifications.Grains.UserKey user) =>
        command.With("@app", user.AppId).With("@user", user.UserId);

    /// <summary>Every row, mapped. The command is a session's prepared one, so it is left open for the next use.</summary>
    public static List<T> ReadAll<T>(this SqliteCommand command, Func<SqliteDataReader, T> map)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static long? ScalarInt64(this SqliteCommand command) =>
        command.ExecuteScalar() is long value ? value : null;

    public static long ToUnixMs(this DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
