using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Every store on one embedded SQLite database. The schema is applied when the database is first opened.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Action<SqliteStorageOptions> configure)
    {
        services.AddOptions<SqliteStorageOptions>().Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), "A SQLite connection string is required.")
            .Validate(o => o.Synchronous is "FULL" or "NORMAL" or "EXTRA", "Synchronous must be FULL, NORMAL or EXTRA.")
            .Validate(o => o.WalRestartFrames > 0, "WalRestartFrames must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var database = ActivatorUtilities.CreateInstance<SqliteDatabase>(sp);
            using var connection = database.Open();
            SqliteSchema.Apply(connection);
            return database;
        });
        services.AddSingleton<IStorageHealth>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<SqliteWriteQueue>();
        services.AddSingleton<INotificationStore, SqliteNotificationStore>();
        services.AddSingleton<IAppStore, SqliteAppStore>();
        services.AddSingleton<ISubscriptionStore, SqliteSubscriptionStore>();
        services.AddSingleton<IGrainStorage, SqliteGrainStorage>();
        services.AddSingleton<IReminderTable, SqliteReminderTable>();
        services.AddSingleton<IDeliveryStore, SqliteDeliveryStore>();
        services.AddSingleton<IMembershipTable, SqliteMembershipTable>();
        services.AddSingleton<IPushCredentialStore, SqlitePushCredentialStore>();
        return services;
    }
}
