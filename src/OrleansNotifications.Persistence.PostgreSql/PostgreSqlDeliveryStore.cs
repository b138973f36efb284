using Npgsql;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using static OrleansNotifications.Persistence.PostgreSql.PostgreSqlCommandExtensions;

namespace OrleansNotifications.Persistence.PostgreSql;

public sealed class PostgreSqlDeliveryStore(PostgreSqlDatabase database, PostgreSqlWriteQueue writer) : IDeliveryStore
{
    private const string Columns = "subscription_id, notification_id, kind, app_id, user_id, platform, sequence, change_kind, " +
        "status, attempts, next_attempt_ms, last_attempt_ms, last_error, expires_ms";

    public Task<IReadOnlyList<Delivery>> ListDueAsync(string subscriptionId, DateTimeOffset now, int max) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(async session => await Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE subscription_id = @sub AND status = 0 AND next_attempt_ms <= @now ORDER BY sequence LIMIT @max")
            .With("@sub", subscriptionId).With("@now", now.ToUnixMs()).With("@max", max)));

    public Task<DateTimeOffset?> NextAttemptAsync(string subscriptionId) =>
        database.ReadAsync(async session => await session
            .Command("SELECT MIN(next_attempt_ms) FROM deliveries WHERE subscription_id = @sub AND status = 0")
            .With("@sub", subscriptionId).ScalarInt64Async() is { } ms ? FromUnixMs(ms) : (DateTimeOffset?)null);

    public Task UpdateAsync(Delivery delivery) =>
        writer.WriteAsync(session => session.Command("""
            UPDATE deliveries SET status = @status, attempts = @attempts, next_attempt_ms = @next, last_attempt_ms = @last,
                                  last_error = @error
            WHERE subscription_id = @sub AND notification_id = @id AND kind = @kind AND sequence = @sequence
            """)
            .With("@sub", delivery.SubscriptionId).With("@id", delivery.NotificationId).With("@kind", (int)delivery.Kind)
            .With("@sequence", delivery.Sequence).With("@status", (int)delivery.Status).With("@attempts", delivery.Attempts)
            .With("@next", delivery.NextAttemptAt?.ToUnixMs()).With("@last", delivery.LastAttemptAt?.ToUnixMs())
            .With("@error", delivery.LastError).ExecuteAsync());

    public Task FailPendingAsync(string subscriptionId, string error, DateTimeOffset now) =>
        writer.WriteAsync(session => session
            .Command("UPDATE deliveries SET status = 2, next_attempt_ms = NULL, last_error = @error WHERE subscription_id = @sub AND status = 0")
            .With("@sub", subscriptionId).With("@error", error).ExecuteAsync());

    public Task<IReadOnlyList<Delivery>> ListForNotificationAsync(UserKey user, string notificationId) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(async session => await Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE app_id = @app AND user_id = @user AND notification_id = @id AND kind = 0 ORDER BY subscription_id")
            .ForUser(user).With("@id", notificationId)));

    public Task<IReadOnlyList<Delivery>> ListLatestAsync(UserKey user, int max) =>
        database.ReadAsync<IReadOnlyList<Delivery>>(async session => await Read(session
            .Command($"SELECT {Columns} FROM deliveries WHERE app_id = @app AND user_id = @user ORDER BY sequence DESC, subscription_id LIMIT @max")
            .ForUser(user).With("@max", max)));

    public Task<PendingDeliveries> CountPendingAsync() =>
        database.ReadAsync(async session => (await session
            .Command("SELECT COUNT(*) FILTER (WHERE attempts = 0), COUNT(*) FILTER (WHERE attempts > 0) FROM deliveries WHERE status = 0")
            .ReadAllAsync(reader => new PendingDeliveries(reader.GetInt64(0), reader.GetInt64(1))))[0]);

    /// <summary>Adds new deliveries to a UserGrain commit, replacing any older one of the same key.</summary>
    internal static void Insert(NpgsqlBatch batch, Delivery delivery) =>
        batch.Add($"""
            INSERT INTO deliveries ({Columns})
            VALUES (@sub, @id, @kind, @app, @user, @platform, @sequence, @change, @status, 0, @next, NULL, NULL, @expires)
            ON CONFLICT (subscription_id, notification_id, kind) DO UPDATE SET
                sequence = excluded.sequence, change_kind = excluded.change_kind, status = excluded.status, attempts = 0,
                next_attempt_ms = excluded.next_attempt_ms, last_attempt_ms = NULL, last_error = NULL, expires_ms = excluded.expires_ms
            """)
            .ForUser(delivery.User).With("@sub", delivery.SubscriptionId).With("@id", delivery.NotificationId)
            .With("@kind", (int)delivery.Kind).With("@platform", (int)delivery.Platform).With("@sequence", delivery.Sequence)
            .With("@change", (int)delivery.ChangeKind).With("@status", (int)delivery.Status)
            .With("@next", delivery.NextAttemptAt?.ToUnixMs()).With("@expires", delivery.ExpiresAt.ToUnixMs());

    /// <summary>Deletes up to <paramref name="max"/> deliveries whose notification expired before <paramref name="olderThan"/>.</summary>
    public Task<int> PruneAsync(DateTimeOffset olderThan, int max) =>
        writer.WriteAsync(session => session
            .Command("""
                DELETE FROM deliveries WHERE (subscription_id, notification_id, kind) IN (
                    SELECT subscription_id, notification_id, kind FROM deliveries WHERE expires_ms < @cutoff LIMIT @max)
                """)
            .With("@cutoff", olderThan.ToUnixMs()).With("@max", max).ExecuteAsync());

    private static Task<List<Delivery>> Read(NpgsqlCommand command) =>
        command.ReadAllAsync(reader => new Delivery(
            reader.GetString(0), reader.GetString(1), (PushMessageKind)reader.GetInt32(2),
            new UserKey(reader.GetString(3), reader.GetString(4)), (PlatformType)reader.GetInt32(5), reader.GetInt64(6),
            (ChangeKind)reader.GetInt32(7), (DeliveryStatus)reader.GetInt32(8), reader.GetInt32(9), reader.NullableInstant(10),
            reader.NullableInstant(11), reader.NullableString(12), FromUnixMs(reader.GetInt64(13))));
}
