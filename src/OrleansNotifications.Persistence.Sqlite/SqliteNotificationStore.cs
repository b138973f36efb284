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
    private const string RowColumns = "n.resource, n.content_hash, n.published_sequence";

    /// <summary>
    /// The user's notifications, reached through the changes that published them: <c>changes</c> is the only index keyed by
    /// user, because each such index costs every publish a random page (Scripts/005). CROSS JOIN makes SQLite walk the user's
    /// changes and look each notification up by id, never the other way round; the flag spares state changes that lookup
    /// (Scripts/006). Pruning keeps every change this joins to.
    /// </summary>
    private const string UserNotifications = """
        changes c CROSS JOIN notifications n
            ON n.id = c.notification_id AND n.app_id = c.app_id AND n.user_id = c.user_id AND n.published_sequence = c.sequence
        WHERE c.app_id = @app AND c.user_id = @user AND c.publishes = 1
        """;

    public Task<UserHead> ReadUserAsync(UserKey user) => database.ReadAsync(session =>
    {
        var sequence = CurrentSequence(session, user);
        var reminder = session.Command("SELECT due_ms FROM reminders WHERE grain_type = @type AND grain_key = @key AND name = @name")
            .With("@type", UserGrain.GrainTypeName).With("@key", user.GrainKey).With("@name", UserGrain.ExpiryReminderName)
            .ScalarInt64();
        return new UserHead(sequence, reminder is { } r ? FromUnixMs(r) : null);
    });

    public Task<IReadOnlyList<string>> ListAppNotificationIdsAsync(UserKey user) =>
        database.ReadAsync<IReadOnlyList<string>>(session =>
            session.Command($"SELECT n.app_notification_id FROM {UserNotifications} AND n.app_notification_id IS NOT NULL")
                .ForUser(user).ReadAll(reader => reader.GetString(0)));

    public Task<StoredNotification?> FindByAppNotificationIdAsync(UserKey user, string appNotificationId) =>
        database.ReadAsync(session => ReadRows(
            session.Command($"SELECT {RowColumns} FROM {UserNotifications} AND n.app_notification_id = @anid ORDER BY c.sequence DESC LIMIT 1")
                .ForUser(user).With("@anid", appNotificationId)).FirstOrDefault());

    public Task<StoredNotification?> GetAsync(UserKey user, string id, DateTimeOffset now) =>
        database.ReadAsync(session => ReadRows(
            session.Command($"SELECT {RowColumns} FROM notifications n WHERE {UserFilter} AND id = @id AND expires_ms > @now")
                .ForUser(user).With("@id", id).With("@now", now.ToUnixMs())).FirstOrDefault());

    public Task<IReadOnlyList<StoredNotification>> ListGroupAsync(UserKey user, string groupName, DateTimeOffset now) =>
        database.ReadAsync<IReadOnlyList<StoredNotification>>(session => ReadRows(
            session.Command($"SELECT {RowColumns} FROM {UserNotifications} AND n.group_name = @group AND n.expires_ms > @now")
                .ForUser(user).With("@group", groupName).With("@now", now.ToUnixMs())));

    public Task<IReadOnlyList<StoredNotification>> ListUnreadAsync(UserKey user, string? groupName, DateTimeOffset now) =>
        database.ReadAsync<IReadOnlyList<StoredNotification>>(session => ReadRows(
            session.Command($"SELECT {RowColumns} FROM {UserNotifications} AND n.read_state = @unread AND n.expires_ms > @now" +
                    (groupName is null ? "" : " AND n.group_name = @group") + " ORDER BY c.sequence")
                .ForUser(user).With("@unread", (int)ReadState.Unread).With("@now", now.ToUnixMs()).With("@group", groupName)));

    public Task<IReadOnlyList<StateCount>> CountByStateAsync(UserKey user, DateTimeOffset now) =>
        database.ReadAsync<IReadOnlyList<StateCount>>(session => session
            .Command($"SELECT n.read_state, n.user_action_state, COUNT(*) FROM {UserNotifications} AND n.expires_ms > @now GROUP BY 1, 2")
            .ForUser(user).With("@now", now.ToUnixMs())
            .ReadAll(reader => new StateCount((ReadState)reader.GetInt32(0), (UserActionState)reader.GetInt32(1), reader.GetInt32(2))));

    public Task<IReadOnlyList<string>> ListExpiredAsync(UserKey user, DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<string>>(session => session
            .Command($"SELECT n.id FROM {UserNotifications} AND n.expires_ms <= @now ORDER BY n.expires_ms LIMIT @max")
            .ForUser(user).With("@now", now.ToUnixMs()).With("@max", max).ReadAll(reader => reader.GetString(0)));

    public Task<DateTimeOffset?> EarliestExpiryAfterAsync(UserKey user, DateTimeOffset after) =>
        database.ReadAsync(session =>
            session.Command($"SELECT MIN(n.expires_ms) FROM {UserNotifications} AND n.expires_ms > @after")
                .ForUser(user).With("@after", after.ToUnixMs()).ScalarInt64() is { } ms ? FromUnixMs(ms) : (DateTimeOffset?)null);

    public async Task CommitAsync(UserChangeSet changes)
    {
        if (!await writer.WriteAsync(context => Apply(context, changes)))
        {
            throw new InconsistentStateException(
                $"User {changes.User} is no longer at sequence {changes.ExpectedSequence}; another activation wrote first.");
        }
    }

    private static bool Apply(SqliteSession context, UserChangeSet changes)
    {
        // The compare-and-swap: the writer's transaction is IMMEDIATE (one writer at a time, across processes too), so the
        // sequence read here cannot move before this set's own change rows raise it.
        var user = changes.User;
        if (changes.Changes.Count != changes.NewSequence - changes.ExpectedSequence)
        {
            // The sequence is the newest change's, so a number taken without a change row would leave the grain ahead of it.
            throw new InvalidOperationException(
                $"Change set of {user}: {changes.Changes.Count} changes for sequences {changes.ExpectedSequence}–{changes.NewSequence}.");
        }

        if ((context.Statement(CurrentSequenceSql).ForUser(user).ScalarInt64() ?? 0) != changes.ExpectedSequence)
        {
            return false;
        }

        foreach (var id in changes.Deletes)
        {
            context.Statement($"DELETE FROM notifications WHERE {UserFilter} AND id = @id").ForUser(user).With("@id", id).Execute();
        }

        foreach (var row in changes.Upserts)
        {
            var n = row.Resource;
            context.Statement("""
                INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                                           published_sequence, expires_ms, content_hash, resource)
                VALUES (@app, @user, @id, @anid, @group, @read, @action, @published, @expires, @hash, @resource)
                ON CONFLICT (id, app_id, user_id) DO UPDATE SET
                    app_notification_id = excluded.app_notification_id, group_name = excluded.group_name,
                    read_state = excluded.read_state, user_action_state = excluded.user_action_state,
                    published_sequence = excluded.published_sequence, expires_ms = excluded.expires_ms,
                    content_hash = excluded.content_hash, resource = excluded.resource
                """)
                .ForUser(user).With("@id", n.Id).With("@anid", n.AppNotificationId).With("@group", n.GroupName)
                .With("@read", (long)n.ReadState).With("@action", (long)n.UserActionState).With("@published", row.PublishedSequence)
                .With("@expires", n.ExpirationDateTime.ToUnixMs()).With("@hash", row.ContentHash).With("@resource", row.Json)
                .Execute();
        }

        foreach (var change in changes.Changes)
        {
            context.Statement("""
                INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification, publishes)
                VALUES (@app, @user, @sequence, @kind, @id, @occurred, @notification, @publishes)
                """)
                .ForUser(user).With("@sequence", change.Sequence).With("@kind", (long)change.Kind).With("@id", change.NotificationId)
                .With("@publishes", changes.Upserts.Exists(row => row.PublishedSequence == change.Sequence) ? 1L : 0L)
                .With("@occurred", change.OccurredDateTime.ToUnixMs()).With("@notification", change.NotificationJson)
                .Execute();
        }

        foreach (var delivery in changes.Deliveries)
        {
            SqliteDeliveryStore.Insert(context, delivery);
            if (EndpointGrain.SafetyNetReminder(delivery) is { } wakeUp)
            {
                SqliteReminderTable.Write(context, wakeUp.Grain.Type, wakeUp.Grain.Key, wakeUp.Name, wakeUp.DueAt);
            }
        }

        if (changes.ReminderChanged)
        {
            SqliteReminderTable.Write(context, UserGrain.GrainTypeName, user.GrainKey, UserGrain.ExpiryReminderName, changes.ExpiryReminder);
        }

        return true;
    }

    public Task<NotificationPage> ListAsync(UserKey user, NotificationQuery query, DateTimeOffset now) =>
        database.ReadAsync(session =>
        {
            var sql = new StringBuilder($"SELECT n.resource, c.sequence FROM {UserNotifications} AND n.expires_ms > @now");
            sql.Append(query.ReadState is null ? "" : " AND n.read_state = @read")
                .Append(query.UserActionState is null ? "" : " AND n.user_action_state = @action")
                .Append(query.GroupName is null ? "" : " AND n.group_name = @group")
                .Append(query.Before is null ? "" : " AND c.sequence < @before")
                .Append(" ORDER BY c.sequence DESC LIMIT @top");
            using var reader = session.Command(sql.ToString()).ForUser(user)
                .With("@now", now.ToUnixMs()).With("@top", query.Top + 1)
                .With("@read", (int?)query.ReadState).With("@action", (int?)query.UserActionState)
                .With("@group", query.GroupName).With("@before", query.Before)
                .ExecuteReader();
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
        // One snapshot, so pruning cannot slip between reading the page and judging the cursor.
        database.ReadAsync(session => session.Snapshot(() =>
        {
            if (since < PrunedThrough(session, user))
            {
                return new ChangeFeedPage([], false, true, CurrentSequence(session, user));
            }

            var changes = new List<ChangeRecord>(Math.Min(top, 128));
            var hasMore = false;
            using (var reader = session
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

            var current = CurrentSequence(session, user);
            var expired = changes.Count > 0 || since < current; // a gap right after the cursor: those changes were pruned
            return expired ? new ChangeFeedPage([], false, true, current) : new ChangeFeedPage(changes, hasMore, false, current);
        }));

    /// <summary>
    /// Rowids follow commit order, so the oldest changes are a rowid prefix. Deleting only the prefix that ends at the first
    /// entry newer than the cutoff means every user loses only changes older than all it keeps: feeds stay gap-free. The
    /// users in the prefix first get their last pruned sequence written to <c>users</c>, the floor below which the feed
    /// answers nothing but "expired" (and all that keeps the sequence of a user whose every change is pruned, see
    /// <see cref="CurrentSequence"/>). A change that published a notification still stored is history's only way to it
    /// (<see cref="UserNotifications"/>): it is moved past the newest rowid instead, below the floor, without its snapshot,
    /// and stamped with the cutoff, so that it ends the prefix for the rest of this pruning pass (the pruner repeats while
    /// it prunes a full batch, which moved changes would otherwise fill forever once all changes are old). Nothing reads
    /// their snapshot or time again. Moved and deleted changes both count: they left the feed.
    /// </summary>
    public Task<int> PruneChangesAsync(DateTimeOffset olderThan, int max) =>
        writer.WriteAsync(context =>
        {
            var last = context.Command("""
                SELECT MAX(rowid) FROM (
                    SELECT rowid FROM changes
                    WHERE rowid < COALESCE((SELECT rowid FROM changes WHERE occurred_ms >= @cutoff ORDER BY rowid LIMIT 1), 9223372036854775807)
                    ORDER BY rowid LIMIT @max)
                """).With("@cutoff", olderThan.ToUnixMs()).With("@max", max).ScalarInt64();
            if (last is null)
            {
                return 0;
            }

            context.Command("""
                INSERT INTO users (app_id, user_id, sequence)
                    SELECT app_id, user_id, MAX(sequence) FROM changes NOT INDEXED WHERE rowid <= @last GROUP BY app_id, user_id
                ON CONFLICT (app_id, user_id) DO UPDATE SET sequence = MAX(sequence, excluded.sequence)
                """).With("@last", last).ExecuteNonQuery(); // NOT INDEXED: the rowid range, not a scan of the whole key index
            var moved = context.Command("""
                UPDATE changes NOT INDEXED
                SET rowid = (SELECT MAX(rowid) FROM changes) + rowid - (SELECT MIN(rowid) FROM changes) + 1, notification = NULL, occurred_ms = @cutoff
                WHERE rowid <= @last AND EXISTS (
                    SELECT 1 FROM notifications n
                    WHERE n.id = changes.notification_id AND n.app_id = changes.app_id AND n.user_id = changes.user_id
                      AND n.published_sequence = changes.sequence)
                """).With("@last", last).With("@cutoff", olderThan.ToUnixMs()).ExecuteNonQuery();
            return moved + context.Command("DELETE FROM changes WHERE rowid <= @last").With("@last", last).ExecuteNonQuery();
        });

    /// <summary>
    /// The user's sequence is the newest change's. A commit writes no row of its own for it: a per-user row rewritten on
    /// every publish costs one more random page per publish (docs/BENCHMARKS.md, sixth session). <c>users</c> keeps it only
    /// for changes already pruned (Scripts/005 set it so for databases before version 4, which updated it on every commit).
    /// </summary>
    private const string CurrentSequenceSql = $"""
        SELECT MAX(sequence) FROM (
            SELECT sequence FROM users WHERE {UserFilter}
            UNION ALL SELECT MAX(sequence) FROM changes WHERE {UserFilter})
        """;

    /// <summary>The user's last pruned sequence: the feed has nothing at or below it (what is still there only serves history).</summary>
    private static long PrunedThrough(SqliteSession session, UserKey user) =>
        session.Command($"SELECT sequence FROM users WHERE {UserFilter}").ForUser(user).ScalarInt64() ?? 0;

    /// <summary>For reads: a command, which waits out a busy database.</summary>
    private static long CurrentSequence(SqliteSession session, UserKey user) =>
        session.Command(CurrentSequenceSql).ForUser(user).ScalarInt64() ?? 0;

    private static List<StoredNotification> ReadRows(SqliteCommand command) =>
        command.ReadAll(reader => new StoredNotification((byte[])reader[0], (byte[])reader[1], reader.GetInt64(2)));
}
