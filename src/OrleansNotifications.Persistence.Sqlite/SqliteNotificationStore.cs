using System.Text;
using Microsoft.Data.Sqlite;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Runtime;
using static OrleansNotifications.Persistence.Sqlite.SqliteCommandExtensions;

namespace OrleansNotifications.Persistence.Sqlite;

public sealed class SqliteNotificationStore(SqliteDatabase database, SqliteWriteQueue writer) : INotificationStore
{
    private const string UserFilter = "app_id = @app AND user_id = @user";
    private const string RowColumns = "resource, content_hash, published_sequence";

    public Task<UserHead> ReadUserAsync(UserKey user) => database.ReadAsync(connection =>
    {
        var sequence = connection.Command($"SELECT sequence FROM users WHERE {UserFilter}").ForUser(user).ScalarInt64() ?? 0;
        var earliest = connection.Command($"SELECT MIN(expires_ms) FROM notifications WHERE {UserFilter}").ForUser(user).ScalarInt64();
        var reminder = connection.Command("SELECT due_ms FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name")
            .With("@type", UserGrain.GrainTypeName).With("@key", user.GrainKey).With("@name", UserGrain.ExpiryReminderName)
            .ScalarInt64();
        return new UserHead(sequence, earliest is { } e ? FromUnixMs(e) : null, reminder is { } r ? FromUnixMs(r) : null);
    });

    public Task<StoredNotification?> FindByAppNotificationIdAsync(UserKey user, string appNotificationId) =>
        database.ReadAsync(connection => ReadRows(
            connection.Command($"SELECT {RowColumns} FROM notifications WHERE {UserFilter} AND app_notification_id = @anid")
                .ForUser(user).With("@anid", appNotificationId)).FirstOrDefault());

    public Task<StoredNotification?> GetAsync(UserKey user, string id, DateTimeOffset now) =>
        database.ReadAsync(connection => ReadRows(
            connection.Command($"SELECT {RowColumns} FROM notifications WHERE {UserFilter} AND id = @id AND expires_ms > @now")
                .ForUser(user).With("@id", id).With("@now", now.ToUnixMs())).FirstOrDefault());

    public Task<IReadOnlyList<StoredNotification>> ListGroupAsync(UserKey user, string groupName, DateTimeOffset now) =>
        database.ReadAsync<IReadOnlyList<StoredNotification>>(connection => ReadRows(
            connection.Command($"SELECT {RowColumns} FROM notifications WHERE {UserFilter} AND group_name = @group AND expires_ms > @now")
                .ForUser(user).With("@group", groupName).With("@now", now.ToUnixMs())));

    public Task<IReadOnlyList<string>> ListExpiredAsync(UserKey user, DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<string>>(connection =>
        {
            using var reader = connection
                .Command($"SELECT id FROM notifications WHERE {UserFilter} AND expires_ms <= @now ORDER BY expires_ms LIMIT @max")
                .ForUser(user).With("@now", now.ToUnixMs()).With("@max", max).ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        });

    public Task<DateTimeOffset?> EarliestExpiryAfterAsync(UserKey user, DateTimeOffset after) =>
        database.ReadAsync(connection =>
            connection.Command($"SELECT MIN(expires_ms) FROM notifications WHERE {UserFilter} AND expires_ms > @after")
                .ForUser(user).With("@after", after.ToUnixMs()).ScalarInt64() is { } ms ? FromUnixMs(ms) : (DateTimeOffset?)null);

    public async Task CommitAsync(UserChangeSet changes)
    {
        if (!await writer.WriteAsync(context => Apply(context, changes)))
        {
            throw new InconsistentStateException(
                $"User {changes.User} is no longer at sequence {changes.ExpectedSequence}; another activation wrote first.");
        }
    }

    private static bool Apply(SqliteWriteContext context, UserChangeSet changes)
    {
        var user = changes.User;
        var guard = changes.ExpectedSequence == 0
            ? context.Command("INSERT INTO users (app_id, user_id, sequence) VALUES (@app, @user, @new) ON CONFLICT DO NOTHING")
            : context.Command($"UPDATE users SET sequence = @new WHERE {UserFilter} AND sequence = @expected");
        if (guard.ForUser(user).With("@new", changes.NewSequence).With("@expected", changes.ExpectedSequence).ExecuteNonQuery() != 1)
        {
            return false;
        }

        foreach (var id in changes.Deletes)
        {
            context.Command($"DELETE FROM notifications WHERE {UserFilter} AND id = @id").ForUser(user).With("@id", id).ExecuteNonQuery();
        }

        foreach (var row in changes.Upserts)
        {
            var n = row.Resource;
            context.Command("""
                INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                                           published_sequence, expires_ms, content_hash, resource)
                VALUES (@app, @user, @id, @anid, @group, @read, @action, @published, @expires, @hash, @resource)
                ON CONFLICT (app_id, user_id, id) DO UPDATE SET
                    app_notification_id = excluded.app_notification_id, group_name = excluded.group_name,
                    read_state = excluded.read_state, user_action_state = excluded.user_action_state,
                    published_sequence = excluded.published_sequence, expires_ms = excluded.expires_ms,
                    content_hash = excluded.content_hash, resource = excluded.resource
                """)
                .ForUser(user).With("@id", n.Id).With("@anid", n.AppNotificationId).With("@group", n.GroupName)
                .With("@read", (int)n.ReadState).With("@action", (int)n.UserActionState).With("@published", row.PublishedSequence)
                .With("@expires", n.ExpirationDateTime.ToUnixMs()).With("@hash", row.ContentHash).With("@resource", row.Json)
                .ExecuteNonQuery();
        }

        foreach (var change in changes.Changes)
        {
            context.Command("""
                INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification)
                VALUES (@app, @user, @sequence, @kind, @id, @occurred, @notification)
                """)
                .ForUser(user).With("@sequence", change.Sequence).With("@kind", (int)change.Kind).With("@id", change.NotificationId)
                .With("@occurred", change.OccurredDateTime.ToUnixMs()).With("@notification", change.NotificationJson)
                .ExecuteNonQuery();
        }

        if (changes.ReminderChanged)
        {
            SqliteReminderTable.Write(context, UserGrain.GrainTypeName, user.GrainKey, UserGrain.ExpiryReminderName, changes.ExpiryReminder);
        }

        return true;
    }

    public Task<NotificationPage> ListAsync(UserKey user, NotificationQuery query, DateTimeOffset now) =>
        database.ReadAsync(connection =>
        {
            var sql = new StringBuilder($"SELECT resource, published_sequence FROM notifications WHERE {UserFilter} AND expires_ms > @now");
            var command = connection.Command("").ForUser(user).With("@now", now.ToUnixMs()).With("@top", query.Top + 1);
            if (query.ReadState is { } readState)
            {
                sql.Append(" AND read_state = @read");
                command.With("@read", (int)readState);
            }

            if (query.UserActionState is { } actionState)
            {
                sql.Append(" AND user_action_state = @action");
                command.With("@action", (int)actionState);
            }

            if (query.GroupName is { } group)
            {
                sql.Append(" AND group_name = @group");
                command.With("@group", group);
            }

            if (query.Before is { } before)
            {
                sql.Append(" AND published_sequence < @before");
                command.With("@before", before);
            }

            command.CommandText = sql.Append(" ORDER BY published_sequence DESC LIMIT @top").ToString();
            using var reader = command.ExecuteReader();
            var items = new List<byte[]>(Math.Min(query.Top, 128));
            long last = 0;
            while (reader.Read())
            {
                if (items.Count == query.Top)
                {
                    return new NotificationPage(items, last);
                }

                items.Add((byte[])reader[0]);
                last = reader.GetInt64(1);
            }

            return new NotificationPage(items, null);
        });

    public Task<ChangeFeedPage> ReadChangesAsync(UserKey user, long since, int top) =>
        database.ReadAsync(connection =>
        {
            // One snapshot, so pruning cannot slip between reading the page and judging the cursor.
            using var snapshot = connection.BeginTransaction(deferred: true);
            var changes = new List<ChangeRecord>(Math.Min(top, 128));
            var hasMore = false;
            using (var reader = connection
                .Command($"SELECT sequence, kind, notification_id, occurred_ms, notification FROM changes WHERE {UserFilter} AND sequence > @since ORDER BY sequence LIMIT @top")
                .ForUser(user).With("@since", since).With("@top", top + 1).ExecuteReader())
            {
                while (reader.Read())
                {
                    if (changes.Count == top)
                    {
                        hasMore = true;
                        break;
                    }

                    changes.Add(new ChangeRecord(
                        reader.GetInt64(0), (ChangeKind)reader.GetInt32(1), reader.GetString(2), FromUnixMs(reader.GetInt64(3)),
                        reader.IsDBNull(4) ? null : (byte[])reader[4]));
                }
            }

            if (changes.Count > 0 && changes[0].Sequence == since + 1)
            {
                return new ChangeFeedPage(changes, hasMore, false);
            }

            var current = connection.Command($"SELECT sequence FROM users WHERE {UserFilter}").ForUser(user).ScalarInt64() ?? 0;
            var expired = changes.Count > 0 || since < current; // a gap right after the cursor: those changes were pruned
            return expired ? new ChangeFeedPage([], false, true, current) : new ChangeFeedPage(changes, hasMore, false, current);
        });

    public Task<int> PruneChangesAsync(DateTimeOffset olderThan, int max) =>
        writer.WriteAsync(context => context.Command("""
            DELETE FROM changes WHERE (app_id, user_id, sequence) IN
                (SELECT app_id, user_id, sequence FROM changes WHERE occurred_ms < @cutoff LIMIT @max)
            """).With("@cutoff", olderThan.ToUnixMs()).With("@max", max).ExecuteNonQuery());

    private static List<StoredNotification> ReadRows(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<StoredNotification>();
        while (reader.Read())
        {
            rows.Add(new StoredNotification((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2)));
        }

        return rows;
    }
}
