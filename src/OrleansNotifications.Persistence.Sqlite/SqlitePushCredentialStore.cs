using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Persistence.Sqlite;

public sealed class SqlitePushCredentialStore(SqliteDatabase database, SqliteWriteQueue writer, IOptions<DeliveryOptions> options)
    : IPushCredentialStore
{
    public Task<AppPushCredentials?> GetAsync(string appId) =>
        database.ReadAsync(session =>
        {
            string? vapidPublic = null, vapidPrivate = null;
            using (var app = session.Command("SELECT vapid_public_key, vapid_private_key FROM apps WHERE app_id = @app")
                .With("@app", appId).ExecuteReader())
            {
                if (!app.Read())
                {
                    return null;
                }

                (vapidPublic, vapidPrivate) = (app.GetString(0), app.GetString(1));
            }

            var settings = new Dictionary<PlatformType, string>();
            using (var rows = session.Command("SELECT platform, settings FROM app_push_credentials WHERE app_id = @app")
                .With("@app", appId).ExecuteReader())
            {
                while (rows.Read())
                {
                    settings[(PlatformType)rows.GetInt32(0)] = rows.GetString(1);
                }
            }

            var subject = settings.TryGetValue(PlatformType.WebPush, out var webPush)
                ? JsonSerializer.Deserialize<WebPushSettings>(webPush)!.Subject
                : options.Value.DefaultWebPushSubject;
            return new AppPushCredentials(
                settings.TryGetValue(PlatformType.Android, out var fcm) ? JsonSerializer.Deserialize<FcmCredentials>(fcm) : null,
                settings.TryGetValue(PlatformType.Ios, out var apns) ? JsonSerializer.Deserialize<ApnsCredentials>(apns) : null,
                new WebPushCredentials(subject, vapidPublic, vapidPrivate));
        });

    public Task<bool> SaveAsync<TSettings>(string appId, PlatformType platform, TSettings settings, DateTimeOffset now) =>
        writer.WriteAsync(context =>
            context.Command("SELECT 1 FROM apps WHERE app_id = @app").With("@app", appId).ExecuteScalar() is not null
            && context.Command("""
                INSERT INTO app_push_credentials (app_id, platform, settings, updated_ms) VALUES (@app, @platform, @settings, @now)
                ON CONFLICT (app_id, platform) DO UPDATE SET settings = excluded.settings, updated_ms = excluded.updated_ms
                """)
                .With("@app", appId).With("@platform", (int)platform).With("@settings", JsonSerializer.Serialize(settings)).With("@now", now.ToUnixMs())
                .ExecuteNonQuery() == 1);
}
