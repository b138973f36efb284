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
    public async Task UnderSustainedWrites_TheWriter_KeepsRestartingTheWal_AndItStaysBounded()
    {
        var writer = Get<SqliteWriteQueue>();
        var store = Get<OrleansNotifications.Grains.Storage.INotificationStore>();
        var users = Enumerable.Range(0, 200).Select(i => new OrleansNotifications.Grains.UserKey("app", $"wal-{i}")).ToArray();

        // 40 rounds of concurrent commits, each a few group commits dirtying pages all over the per-user indexes. The writer
        // must keep restarting the WAL (threshold: 64 frames), not just once.
        const int rounds = 40;
        var restarts = new List<long>();
        for (var round = 0; round < rounds; round++)
        {
            await Task.WhenAll(users.Select(user => store.CommitAsync(Created(user, round))));
            restarts.Add(writer.WalRestarts);
        }

        Assert.True(restarts[rounds / 2] >= 2 && restarts[^1] > restarts[rounds / 2],
            $"WAL restarts after each round: {string.Join(", ", restarts)}");
        var walBytes = new FileInfo(DatabaseFile + "-wal").Length;
        Assert.True(walBytes < 16L << 20, $"the WAL is {walBytes >> 20} MiB");
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
