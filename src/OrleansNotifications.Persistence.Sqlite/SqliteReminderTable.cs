using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Reminders;
using static OrleansNotifications.Persistence.Sqlite.SqliteCommandExtensions;

namespace OrleansNotifications.Persistence.Sqlite;

public sealed class SqliteReminderTable(SqliteDatabase database, SqliteWriteQueue writer) : IReminderTable
{
    public Task UpsertAsync(ReminderEntry reminder) =>
        writer.WriteAsync(context =>
        {
            Write(context, reminder.Grain.Type, reminder.Grain.Key, reminder.Name, reminder.DueAt);
            return true;
        });

    public Task DeleteAsync(GrainId grain, string name, DateTimeOffset? ifDueAt) =>
        writer.WriteAsync(context => context
            .Command("DELETE FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name AND (@due IS NULL OR due_ms = @due)")
            .With("@type", grain.Type).With("@key", grain.Key).With("@name", name).With("@due", ifDueAt?.ToUnixMs())
            .ExecuteNonQuery());

    public Task<IReadOnlyList<ReminderEntry>> GetDueAsync(DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<ReminderEntry>>(session =>
        {
            using var reader = session
                .Command("SELECT grain_type, grain_key, name, due_ms FROM reminders WHERE due_ms <= @now ORDER BY due_ms LIMIT @max")
                .With("@now", now.ToUnixMs()).With("@max", max).ExecuteReader();
            var due = new List<ReminderEntry>();
            while (reader.Read())
            {
                due.Add(new ReminderEntry(new GrainId(reader.GetString(0), reader.GetString(1)), reader.GetString(2), FromUnixMs(reader.GetInt64(3))));
            }

            return due;
        });

    /// <summary>Sets (or with a null due time, deletes) a reminder inside an ongoing write, e.g. together with a user's changes.</summary>
    internal static void Write(SqliteSession context, string grainType, string grainKey, string name, DateTimeOffset? dueAt)
    {
        var command = dueAt is null
            ? context.Command("DELETE FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name")
            : context.Command("""
                INSERT INTO reminders (grain_type, grain_key, name, due_ms) VALUES (@type, @key, @name, @due)
                ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET due_ms = excluded.due_ms
                """);
        command.With("@type", grainType).With("@key", grainKey).With("@name", name).With("@due", dueAt?.ToUnixMs()).ExecuteNonQuery();
    }
}
