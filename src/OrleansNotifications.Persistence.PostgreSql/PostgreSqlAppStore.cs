using Npgsql;
using OrleansNotifications.Grains.Apps;
using static OrleansNotifications.Persistence.PostgreSql.PostgreSqlCommandExtensions;

namespace OrleansNotifications.Persistence.PostgreSql;

public sealed class PostgreSqlAppStore(PostgreSqlDatabase database, PostgreSqlWriteQueue writer) : IAppStore
{
    private const string Columns = "app_id, display_name, client_id, secret_hash, vapid_public_key, vapid_private_key, created_ms";

    public async Task<bool> TryCreateAsync(AppRecord app) =>
        await writer.WriteAsync(session => session.Command($"""
            INSERT INTO apps ({Columns}) VALUES (@app, @name, @client, @hash, @vapidPublic, @vapidPrivate, @created)
            ON CONFLICT DO NOTHING
            """)
            .With("@app", app.AppId).With("@name", app.DisplayName).With("@client", app.ClientId).With("@hash", app.SecretHash)
            .With("@vapidPublic", app.VapidPublicKey).With("@vapidPrivate", app.VapidPrivateKey).With("@created", app.CreatedDateTime.ToUnixMs())
            .ExecuteAsync()) == 1;

    public Task<AppRecord?> GetAsync(string appId) =>
        database.ReadAsync(session => ReadApp(session.Command($"SELECT {Columns} FROM apps WHERE app_id = @app").With("@app", appId)));

    public Task<AppRecord?> FindByClientIdAsync(string clientId) =>
        database.ReadAsync(session => ReadApp(session.Command($"SELECT {Columns} FROM apps WHERE client_id = @client").With("@client", clientId)));

    public async Task<string> GetOrAddServerSecretAsync(string name, string candidate)
    {
        await writer.WriteAsync(session => session
            .Command("INSERT INTO server_secrets (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING")
            .With("@name", name).With("@value", candidate).ExecuteAsync());
        return await database.ReadAsync(async session =>
            (string)(await session.Command("SELECT value FROM server_secrets WHERE name = @name").With("@name", name).ScalarAsync())!);
    }

    private static async Task<AppRecord?> ReadApp(NpgsqlCommand command) =>
        (await command.ReadAllAsync(reader => new AppRecord(
            reader.GetString(0), reader.NullableString(1), reader.GetString(2), (byte[])reader[3],
            reader.GetString(4), reader.GetString(5), FromUnixMs(reader.GetInt64(6))))).FirstOrDefault();
}
