using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.PostgreSql;

public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>Every store on one PostgreSQL database. The schema is migrated when the database is first used.</summary>
    public static IServiceCollection AddPostgreSqlStorage(this IServiceCollection services, Action<PostgreSqlStorageOptions> configure)
    {
        services.AddOptions<PostgreSqlStorageOptions>().Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), "A PostgreSQL connection string is required (Storage:ConnectionString).")
            .Validate(o => IsWellFormed(o.ConnectionString), "The PostgreSQL connection string is not valid.")
            .Validate(o => o.MaxBatchSize > 0, "MaxBatchSize must be positive.")
            .Validate(o => o.Writers is > 0 and <= 64, "Storage:Writers must be between 1 and 64.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var database = ActivatorUtilities.CreateInstance<PostgreSqlDatabase>(sp);
            try
            {
                using var connection = database.DataSource.OpenConnection();
                PostgreSqlSchema.Apply(connection);
                return database;
            }
            catch (NpgsqlException exception)
            {
                // Not cached: the next resolution tries again, so a node started before its database recovers by itself.
                database.Dispose();
                throw PostgreSqlDatabase.Unavailable(exception);
            }
        });
        services.AddSingleton<IStorageHealth>(sp => sp.GetRequiredService<PostgreSqlDatabase>());
        services.AddSingleton<PostgreSqlWriteQueue>();
        services.AddSingleton<INotificationStore, PostgreSqlNotificationStore>();
        services.AddSingleton<IAppStore, PostgreSqlAppStore>();
        services.AddSingleton<ISubscriptionStore, PostgreSqlSubscriptionStore>();
        services.AddSingleton<IGrainStorage, PostgreSqlGrainStorage>();
        services.AddSingleton<IReminderTable, PostgreSqlReminderTable>();
        services.AddSingleton<IDeliveryStore, PostgreSqlDeliveryStore>();
        services.AddSingleton<IPushCredentialStore, PostgreSqlPushCredentialStore>();
        services.AddSingleton<IMembershipTable, PostgreSqlMembershipTable>();
        return services;
    }

    private static bool IsWellFormed(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
