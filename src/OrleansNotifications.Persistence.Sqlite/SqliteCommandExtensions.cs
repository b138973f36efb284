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

    public static long? ScalarInt64(this SqliteCommand command) =>
        command.ExecuteScalar() is long value ? value : null;

    public static long ToUnixMs(this DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
