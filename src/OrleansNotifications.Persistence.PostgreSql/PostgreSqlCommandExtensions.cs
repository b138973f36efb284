using Npgsql;
using NpgsqlTypes;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Persistence.PostgreSql;

internal static class PostgreSqlCommandExtensions
{
    /// <summary>
    /// Binds a parameter typed from the argument's static type: a null then still has a type, which PostgreSQL needs to plan
    /// e.g. <c>@due IS NULL</c>.
    /// </summary>
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, string name, T value)
    {
        command.Parameters.Add(Parameter(name, value));
        return command;
    }

    public static NpgsqlBatchCommand With<T>(this NpgsqlBatchCommand command, string name, T value)
    {
        command.Parameters.Add(Parameter(name, value));
        return command;
    }

    public static NpgsqlCommand ForUser(this NpgsqlCommand command, UserKey user) =>
        command.With("@app", user.AppId).With("@user", user.UserId);

    public static NpgsqlBatchCommand ForUser(this NpgsqlBatchCommand command, UserKey user) =>
        command.With("@app", user.AppId).With("@user", user.UserId);

    /// <summary>Appends a statement to <paramref name="batch"/>; its parameters are bound on the returned command.</summary>
    public static NpgsqlBatchCommand Add(this NpgsqlBatch batch, string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(command);
        return command;
    }

    public static async Task<int> ExecuteAsync(this NpgsqlCommand command)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync();
        }
    }

    public static async Task<object?> ScalarAsync(this NpgsqlCommand command)
    {
        await using (command)
        {
            var value = await command.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
    }

    public static async Task<long?> ScalarInt64Async(this NpgsqlCommand command) =>
        await command.ScalarAsync() is long value ? value : null;

    /// <summary>Every row of the result, mapped.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync())
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    public static long ToUnixMs(this DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset? NullableInstant(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMs(reader.GetInt64(ordinal));

    private static NpgsqlParameter Parameter<T>(string name, T value) => new(name, TypeOf(typeof(T)))
    {
        Value = (object?)value ?? DBNull.Value,
    };

    private static NpgsqlDbType TypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(long) => NpgsqlDbType.Bigint,
        var t when t == typeof(int) => NpgsqlDbType.Integer,
        var t when t == typeof(string) => NpgsqlDbType.Text,
        var t when t == typeof(byte[]) => NpgsqlDbType.Bytea,
        _ => throw new ArgumentException($"No PostgreSQL type for {type}.", nameof(type)),
    };
}
