using Microsoft.Data.Sqlite;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Subscriptions;
using static OrleansNotifications.Persistence.Sqlite.SqliteCommandExtensions;

namespace OrleansNotifications.Persistence.Sqlite;

public sealed class SqliteSubscriptionStore(SqliteDatabase database, SqliteWriteQueue writer) : ISubscriptionStore
{
    private const string Columns =
        "id, app_id, user_id, platform, device_id, push_token, web_endpoint, web_p256dh, web_auth, created_ms, expires_ms, status";

    /// <summary>The user's subscriptions for the same push address (FCM / APNs token, Web Push endpoint).</summary>
    private const string SameAddress =
        "app_id = @app AND user_id = @user AND platform = @platform AND (push_token = @token OR web_endpoint = @endpoint)";

    /// <summary>The subscription a new one replaces: the device's, else the one for the same push address.</summary>
    private const string ExistingSql = $"""
        SELECT id, device_id FROM subscriptions
        WHERE app_id = @app AND user_id = @user AND (device_id = @device OR ({SameAddress}))
        ORDER BY CASE WHEN device_id = @device THEN 0 ELSE 1 END LIMIT 1
        """;

    public Task<Subscription?> SaveAsync(Subscription subscription, int maxPerUser) =>
        writer.WriteAsync(context =>
        {
            var user = subscription.User;
            var existing = context.Command(ExistingSql).ForUser(user).With("@device", subscription.DeviceId)
                .With("@platform", (int)subscription.Platform).With("@token", subscription.PushToken)
                .With("@endpoint", subscription.WebPush?.Endpoint)
                .ReadAll(reader => (Id: reader.GetString(0), DeviceId: reader.IsDBNull(1) ? null : reader.GetString(1))).FirstOrDefault();
            if (existing.Id is null)
            {
                var count = context.Command("SELECT COUNT(*) FROM subscriptions WHERE app_id = @app AND user_id = @user AND expires_ms > @now")
                    .ForUser(user).With("@now", subscription.CreatedDateTime.ToUnixMs()).ScalarInt64();
                if (count >= maxPerUser)
                {
                    return null;
                }
            }

            var stored = subscription with { Id = existing.Id ?? subscription.Id, DeviceId = subscription.DeviceId ?? existing.DeviceId };
            context.Command($"""
                INSERT INTO subscriptions ({Columns})
                VALUES (@id, @app, @user, @platform, @device, @token, @endpoint, @p256dh, @auth, @created, @expires, @status)
                ON CONFLICT (id) DO UPDATE SET
                    platform = excluded.platform, device_id = excluded.device_id, push_token = excluded.push_token,
                    web_endpoint = excluded.web_endpoint, web_p256dh = excluded.web_p256dh, web_auth = excluded.web_auth,
                    created_ms = excluded.created_ms, expires_ms = excluded.expires_ms, status = excluded.status
                """)
                .ForUser(user).With("@id", stored.Id).With("@platform", (int)stored.Platform).With("@device", stored.DeviceId)
                .With("@token", stored.PushToken).With("@endpoint", stored.WebPush?.Endpoint).With("@p256dh", stored.WebPush?.P256dh)
                .With("@auth", stored.WebPush?.Auth).With("@created", stored.CreatedDateTime.ToUnixMs())
                .With("@expires", stored.ExpirationDateTime.ToUnixMs()).With("@status", (int)stored.Status)
                .ExecuteNonQuery();
            context.Command($"DELETE FROM subscriptions WHERE {SameAddress} AND id <> @id").ForUser(user).With("@id", stored.Id)
                .With("@platform", (int)stored.Platform).With("@token", stored.PushToken).With("@endpoint", stored.WebPush?.Endpoint)
                .ExecuteNonQuery();
            return stored;
        });

    public Task<IReadOnlyList<Subscription>> ListAsync(UserKey user, DateTimeOffset now) =>
        database.ReadAsync<IReadOnlyList<Subscription>>(session => Read(session
            .Command($"SELECT {Columns} FROM subscriptions WHERE app_id = @app AND user_id = @user AND expires_ms > @now ORDER BY created_ms DESC")
            .ForUser(user).With("@now", now.ToUnixMs())));

    public Task<Subscription?> GetAsync(string id, DateTimeOffset now) =>
        database.ReadAsync(session => Read(session
            .Command($"SELECT {Columns} FROM subscriptions WHERE id = @id AND expires_ms > @now")
            .With("@id", id).With("@now", now.ToUnixMs())).FirstOrDefault());

    public Task MarkInvalidAsync(string id) =>
        writer.WriteAsync(context => context.Command("UPDATE subscriptions SET status = @invalid WHERE id = @id")
            .With("@id", id).With("@invalid", (int)SubscriptionStatus.Invalid).ExecuteNonQuery());

    public Task<bool> DeleteAsync(UserKey user, string id) =>
        writer.WriteAsync(context => context
            .Command("DELETE FROM subscriptions WHERE app_id = @app AND user_id = @user AND id = @id")
            .ForUser(user).With("@id", id).ExecuteNonQuery() == 1);

    private static List<Subscription> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var subscriptions = new List<Subscription>();
        while (reader.Read())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            var endpoint = Text(6);
            subscriptions.Add(new Subscription(
                reader.GetString(0),
                new UserKey(reader.GetString(1), reader.GetString(2)),
                (PlatformType)reader.GetInt32(3),
                Text(4),
                Text(5),
                endpoint is null ? null : new WebPushTarget(endpoint, Text(7)!, Text(8)!),
                FromUnixMs(reader.GetInt64(9)),
                FromUnixMs(reader.GetInt64(10)),
                (SubscriptionStatus)reader.GetInt32(11)));
        }

        return subscriptions;
    }
}
