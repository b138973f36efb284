using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Activation;
using OrleansNotifications.Runtime.Hosting;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Runtime.Storage;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Runtime;

/// <summary>The grain runtime on a real SQLite file, without a web host; background loops are driven by the tests.</summary>
public sealed class RuntimeHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public RuntimeHost(string databasePath, TimeProvider clock, TimeSpan? idleTimeout = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddSqliteStorage(o =>
        {
            o.ConnectionString = $"Data Source={databasePath}";
            o.Synchronous = "NORMAL";
        });
        services.AddGrainRuntime();
        services.Configure<GrainRuntimeOptions>(o => o.IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(2));
        services.AddGrain<ICounterGrain, CounterGrain>("counter");
        _provider = services.BuildServiceProvider();
    }

    public IGrainFactory Grains => _provider.GetRequiredService<IGrainFactory>();

    public IPersistentStateFactory States => _provider.GetRequiredService<IPersistentStateFactory>();

    public ReminderService Reminders => _provider.GetRequiredService<ReminderService>();

    internal GrainCatalog Catalog => _provider.GetRequiredService<GrainCatalog>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
