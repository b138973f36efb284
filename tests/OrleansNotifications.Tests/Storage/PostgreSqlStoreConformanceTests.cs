using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Persistence.PostgreSql;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Storage;

/// <summary>The conformance suite on a fresh database of the shared throwaway server, plus what only PostgreSQL has.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlStoreConformanceTests(PostgresServer server) : StoreConformanceTests
{
    private string _connectionString = null!;

    protected override Type ProviderExceptionType => typeof(PostgresException);

    protected override async Task AddStorageAsync(IServiceCollection services)
    {
        _connectionString = await server.CreateDatabaseAsync("conformance");
        services.AddPostgreSqlStorage(o => o.ConnectionString = _connectionString);
    }

    protected override (long Transactions, long Writes) WriterCounters()
    {
        var writer = Get<PostgreSqlWriteQueue>();
        return (writer.Transactions, writer.Writes);
    }

    protected override Task WriteToMissingTableAsync() =>
        Get<PostgreSqlWriteQueue>().WriteAsync(session => session.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQueryAsync());

    [Fact]
    public async Task NodesStartingTogether_MigrateTheSchemaOnce()
    {
        var connectionString = await server.CreateDatabaseAsync("migration");
        var providers = Enumerable.Range(0, 4).Select(_ =>
        {
            var services = new ServiceCollection().AddLogging();
            services.AddPostgreSqlStorage(o => o.ConnectionString = connectionString);
            return services.BuildServiceProvider();
        }).ToList();
        try
        {
            await Task.WhenAll(providers.Select(p => Task.Run(() => p.GetRequiredService<PostgreSqlDatabase>())));

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var versions = new NpgsqlCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version", connection);
            Assert.Equal("1,2,3", await versions.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ConnectionsKilledByTheServer_AreReplaced_WithoutFailingReadsOrWrites()
    {
        var store = Get<INotificationStore>();
        var user = NewUser();
        await store.CommitAsync(Created(user, 0));
        await store.ReadUserAsync(user);

        await using (var admin = new NpgsqlConnection(_connectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 2);
        }

        await store.CommitAsync(Created(user, 1));
        Assert.Equal(2, (await store.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public async Task AClosedPort_IsStorageUnavailable()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var services = new ServiceCollection().AddLogging();
        services.AddPostgreSqlStorage(o => o.ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=none;Timeout=2");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<StorageUnavailableException>(() => provider.GetRequiredService<INotificationStore>());
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);

        // Started while the database was up, then cut off: reads, writes and readiness all say so.
        var options = Microsoft.Extensions.Options.Options.Create(new PostgreSqlStorageOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2" });
        using var database = new PostgreSqlDatabase(options);
        using var writer = new PostgreSqlWriteQueue(database, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgreSqlWriteQueue>.Instance);
        var store = new PostgreSqlNotificationStore(database, writer);
        var user = new UserKey("app", "unreachable");
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.ReadUserAsync(user));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.CommitAsync(new UserChangeSet(user, 0)));
        Assert.False(await ((IStorageHealth)database).IsReachableAsync(CancellationToken.None));
    }
}
