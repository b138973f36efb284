using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Storage;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    /// <summary>Small, so that the checkpointer's WAL restart happens within a test (the default is 32,768).</summary>
    private const int WalRestartFrames = 64;

    private readonly TempDirectory _data = new();

    private string DatabaseFile => Path.Combine(_data.Path, "store.db");

    protected override Type ProviderExceptionType => typeof(SqliteException);

    protected override Task AddStorageAsync(IServiceCollection services)
    {
        services.AddSqliteStorage(o =>
        {
            o.ConnectionString = $"Data Source={DatabaseFile}";
            o.Synchronous = "NORMAL";
            o.WalRestartFrames = WalRestartFrames;
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

    [Fact]
    public async Task UnderSustainedWrites_TheWal_StartsAgain_AndStaysBounded()
    {
        var writer = Get<SqliteWriteQueue>();
        var store = Get<OrleansNotifications.Grains.Storage.INotificationStore>();
        var users = Enumerable.Range(0, 200).Select(i => new OrleansNotifications.Grains.UserKey("app", $"wal-{i}")).ToArray();

        // Rounds of concurrent commits, each a few group commits dirtying pages all over the per-user indexes, until the WAL
        // has started again twice. Without the checkpointer (auto-checkpoint is off on the writer) it would only grow:
        // 100 rounds write about 400 MiB of frames.
        var rounds = 0;
        while (writer.WalRestarts < 2 && rounds < 100)
        {
            await Task.WhenAll(users.Select(user => store.CommitAsync(Created(user, rounds))));
            rounds++;
        }

        Assert.True(writer.WalRestarts >= 2, $"the WAL started again {writer.WalRestarts} times in {rounds} rounds");
        var walBytes = new FileInfo(DatabaseFile + "-wal").Length;
        Assert.True(walBytes < 32L << 20, $"the WAL is {walBytes >> 20} MiB");
        foreach (var user in users.Where((_, i) => i % 41 == 0))
        {
            var feed = await store.ReadChangesAsync(user, 0, 200);
            Assert.Equal(Enumerable.Range(1, rounds).Select(i => (long)i), feed.Changes.Select(c => c.Sequence));
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
