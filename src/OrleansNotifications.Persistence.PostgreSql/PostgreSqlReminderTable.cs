using Npgsql;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Reminders;
using static OrleansNotifications.Persistence.PostgreSql.PostgreSqlCommandExtensions;

namespace OrleansNotifications.Persistence.PostgreSql;

public sealed class PostgreSqlReminderTable(PostgreSqlDatabase database, PostgreSqlWriteQueue writer) : IReminderTable
{
    public Task UpsertAsync(ReminderEntry reminder) =>
        writer.WriteAsync(async session =>
        {
            await using var batch = session.Batch();
            Write(batch, reminder.Grain.Type, reminder.Grain.Key, reminder.Name, reminder.DueAt);
            return await batch.ExecuteNonQueryAsync();
        });

    public Task DeleteAsync(GrainId grain, string name, DateTimeOffset? ifDueAt) =>
        writer.WriteAsync(session => session
            .Command("DELETE FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name AND (@due IS NULL OR due_ms = @due)")
            .With("@type", grain.Type).With("@key", grain.Key).With("@name", name).With("@due", ifDueAt?.ToUnixMs())
            .ExecuteAsync());

    public Task<IReadOnlyList<ReminderEntry>> GetDueAsync(DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<ReminderEntry>>(async session => await session
            .Command("SELECT grain_type, grain_key, name, due_ms FROM reminders WHERE due_ms <= @now ORDER BY due_ms LIMIT @max")
            .With("@now", now.ToUnixMs()).With("@max", max)
            .ReadAllAsync(reader => new ReminderEntry(new GrainId(reader.GetString(0), reader.GetString(1)), reader.GetString(2), FromUnixMs(reader.GetInt64(3)))));

    /// <summary>Sets (or with a null due time, deletes) a reminder as part of a batch, e.g. together with a user's changes.</summary>
    internal static void Write(NpgsqlBatch batch, string grainType, string grainKey, string name, DateTimeOffset? dueAt)
    {
        var command = dueAt is null
            ? batch.Add("DELETE FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name")
            : batch.Add("""
                INSERT INTO reminders (grain_type, grain_key, name, due_ms) VALUES (@type, @key, @name, @due)
                ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET due_ms = excluded.due_ms
                """).With("@due", dueAt.Value.ToUnixMs());
        command.With("@type", grainType).With("@key", grainKey).With("@name", name);
    }
}
