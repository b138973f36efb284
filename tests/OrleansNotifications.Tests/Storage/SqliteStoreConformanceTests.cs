using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Storage;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly TempDirectory _data = new();

    protected override Type ProviderExceptionType => typeof(SqliteException);

    protected override Task AddStorageAsync(IServiceCollection services)
    {
        services.AddSqliteStorage(o =>
        {
            o.ConnectionString = $"Data Source={Path.Combine(_data.Path, "store.db")}";
            o.Synchronous = "NORMAL";
        });
        return Task.CompletedTask;
    }

    protected override (long Transactions, long Writes) WriterCounters()
    {
        var writer = Get<SqliteWriteQueue>();
        return (writer.Transactions, writer.Writes);
    }

    protected override Task WriteToMissingTableAsync() =>
        Get<SqliteWriteQueue>().WriteAsync(context => context.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQuery());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
