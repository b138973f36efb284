using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Persistence.PostgreSql;

public sealed class PostgreSqlPushCredentialStore(PostgreSqlDatabase database, PostgreSqlWriteQueue writer, IOptions<DeliveryOptions> options)
    : IPushCredentialStore
{
    public Task<AppPushCredentials?> GetAsync(string appId) =>
        database.ReadAsync(async session =>
        {
            var vapid = await session.Command("SELECT vapid_public_key, vapid_private_key FROM apps WHERE app_id = @app")
                .With("@app", appId).ReadAllAsync(reader => (Public: reader.GetString(0), Private: reader.GetString(1)));
            if (vapid.Count == 0)
            {
                return null;
            }

            var settings = (await session.Command("SELECT platform, settings FROM app_push_credentials WHERE app_id = @app")
                    .With("@app", appId).ReadAllAsync(reader => (Platform: (PlatformType)reader.GetInt32(0), Json: reader.GetString(1))))
                .ToDictionary(row => row.Platform, row => row.Json);
            var subject = settings.TryGetValue(PlatformType.WebPush, out var webPush)
                ? JsonSerializer.Deserialize<WebPushSettings>(webPush)!.Subject
                : options.Value.DefaultWebPushSubject;
            return new AppPushCredentials(
                settings.TryGetValue(PlatformType.Android, out var fcm) ? JsonSerializer.Deserialize<FcmCredentials>(fcm) : null,
                settings.TryGetValue(PlatformType.Ios, out var apns) ? JsonSerializer.Deserialize<ApnsCredentials>(apns) : null,
                new WebPushCredentials(subject, vapid[0].Public, vapid[0].Private));
        });

    public Task<bool> SaveAsync<TSettings>(string appId, PlatformType platform, TSettings settings, DateTimeOffset now) =>
        writer.WriteAsync(async session =>
            await session.Command("SELECT 1 FROM apps WHERE app_id = @app").With("@app", appId).ScalarAsync() is not null
            && await session.Command("""
                INSERT INTO app_push_credentials (app_id, platform, settings, updated_ms) VALUES (@app, @platform, @settings, @now)
                ON CONFLICT (app_id, platform) DO UPDATE SET settings = excluded.settings, updated_ms = excluded.updated_ms
                """)
                .With("@app", appId).With("@platform", (int)platform).With("@settings", JsonSerializer.Serialize(settings)).With("@now", now.ToUnixMs())
                .ExecuteAsync() == 1);
}
