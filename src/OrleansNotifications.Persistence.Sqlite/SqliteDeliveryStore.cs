using Microsoft.Data.Sqlite;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using static OrleansNotifications.Persistence.Sqlite.SqliteCommandExtensions;

namespace OrleansNotifications.Persistence.Sqlite;

public sealed class SqliteDeliveryStore(SqliteDatabase database, SqliteWriteQueue writer) : IDeliveryStore
{
    private const string Columns = "subscription_id, notification_id, kind, app_id, user_id, platform, sequence, change_kind, " +
        "status, attempts, next_attempt_ms, last_attempt_ms, last_error, expires_ms";

    public Task<IReadOnlyList<Delivery>> ListDueAsync(string subscriptionId, DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(session => Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE subscription_id = @sub AND status = 0 AND next_attempt_ms <= @now ORDER BY sequence LIMIT @max")
            .With("@sub", subscriptionId).With("@now", now.ToUnixMs()).With("@max", max)));

    public Task<DateTimeOffset?> NextAttemptAsync(string subscriptionId) =>
        database.ReadAsync(session => session
            .Command("SELECT MIN(next_attempt_ms) FROM deliveries WHERE subscription_id = @sub AND status = 0")
            .With("@sub", subscriptionId).ScalarInt64() is { } ms ? FromUnixMs(ms) : (DateTimeOffset?)null);

    public Task UpdateAsync(Delivery delivery) =>
        writer.WriteAsync(context => context.Command("""
            UPDATE deliveries SET status = @status, attempts = @attempts, next_attempt_ms = @next, last_attempt_ms = @last,
                                  last_error = @error
            WHERE subscription_id = @sub AND notification_id = @id AND kind = @kind AND sequence = @sequence
            """)
            .With("@sub", delivery.SubscriptionId).With("@id", delivery.NotificationId).With("@kind", (int)delivery.Kind)
            .With("@sequence", delivery.Sequence).With("@status", (int)delivery.Status).With("@attempts", delivery.Attempts)
            .With("@next", delivery.NextAttemptAt?.ToUnixMs()).With("@last", delivery.LastAttemptAt?.ToUnixMs())
            .With("@error", delivery.LastError).ExecuteNonQuery());

    public Task FailPendingAsync(string subscriptionId, string error, DateTimeOffset now) =>
        writer.WriteAsync(context => context
            .Command("UPDATE deliveries SET status = 2, next_attempt_ms = NULL, last_error = @error WHERE subscription_id = @sub AND status = 0")
            .With("@sub", subscriptionId).With("@error", error).ExecuteNonQuery());

    public Task<IReadOnlyList<Delivery>> ListForNotificationAsync(UserKey user, string notificationId) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(session => Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE app_id = @app AND user_id = @user AND notification_id = @id AND kind = 0 ORDER BY subscription_id")
            .ForUser(user).With("@id", notificationId)));

    public Task<IReadOnlyList<Delivery>> ListLatestAsync(UserKey user, int max) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(session => Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE app_id = @app AND user_id = @user ORDER BY sequence DESC, subscription_id LIMIT @max")
            .ForUser(user).With("@max", max)));

    public Task<PendingDeliveries> CountPendingAsync() =>
        database.ReadAsync(session =>
        {
            using var reader = session
                .Command("SELECT COUNT(*) FILTER (WHERE attempts = 0), COUNT(*) FILTER (WHERE attempts > 0) FROM deliveries WHERE status = 0")
                .ExecuteReader();
            reader.Read();
            return new PendingDeliveries(reader.GetInt64(0), reader.GetInt64(1));
        });

    /// <summary>Writes new deliveries inside a UserGrain commit, replacing any older one of the same key.</summary>
    internal static void Insert(SqliteSession context, Delivery delivery) =>
        context.Command($"""
            INSERT INTO deliveries ({Columns})
            VALUES (@sub, @id, @kind, @app, @user, @platform, @sequence, @change, @status, 0, @next, NULL, NULL, @expires)
            ON CONFLICT (subscription_id, notification_id, kind) DO UPDATE SET
                sequence = excluded.sequence, change_kind = excluded.change_kind, status = excluded.status, attempts = 0,
                next_attempt_ms = excluded.next_attempt_ms, last_attempt_ms = NULL, last_error = NULL, expires_ms = excluded.expires_ms
            """)
            .ForUser(delivery.User).With("@sub", delivery.SubscriptionId).With("@id", delivery.NotificationId)
            .With("@kind", (int)delivery.Kind).With("@platform", (int)delivery.Platform).With("@sequence", delivery.Sequence)
            .With("@change", (int)delivery.ChangeKind).With("@status", (int)delivery.Status)
            .With("@next", delivery.NextAttemptAt?.ToUnixMs()).With("@expires", delivery.ExpiresAt.ToUnixMs())
            .ExecuteNonQuery();

    /// <summary>Deletes up to <paramref name="max"/> deliveries whose notification expired before <paramref name="olderThan"/>.</summary>
    public Task<int> PruneAsync(DateTimeOffset olderThan, int max) =>
        writer.WriteAsync(context => context
            .Command("""
                DELETE FROM deliveries WHERE (subscription_id, notification_id, kind) IN (
                    SELECT subscription_id, notification_id, kind FROM deliveries WHERE expires_ms < @cutoff LIMIT @max)
                """)
            .With("@cutoff", olderThan.ToUnixMs()).With("@max", max).ExecuteNonQuery());

    private static List<Delivery> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<Delivery>();
        while (reader.Read())
        {
            DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : FromUnixMs(reader.GetInt64(i));
            rows.Add(new Delivery(
                reader.GetString(0), reader.GetString(1), (PushMessageKind)reader.GetInt32(2),
                new UserKey(reader.GetString(3), reader.GetString(4)), (PlatformType)reader.GetInt32(5), reader.GetInt64(6),
                (ChangeKind)reader.GetInt32(7), (DeliveryStatus)reader.GetInt32(8), reader.GetInt32(9), Instant(10), Instant(11),
                reader.IsDBNull(12) ? null : reader.GetString(12), FromUnixMs(reader.GetInt64(13))));
        }

        return rows;
    }
}
