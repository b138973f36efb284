using Microsoft.Data.Sqlite;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Runtime;
using OrleansNotifications.Tests.Infrastructure;
using OrleansNotifications.Tests.Runtime;

namespace OrleansNotifications.Tests.Storage;

public sealed class SqliteNotificationStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RuntimeHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new RuntimeHost(Path.Combine(_data.Path, "store.db"), TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    private static UserChangeSet Created(UserKey user, long expected)
    {
        var changes = new UserChangeSet(user, expected);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var notification = new Notification
        {
            Id = Guid.NewGuid().ToString("N"),
            Payload = new Payload("x", null),
            ExpirationDateTime = now.AddDays(1),
            CreatedDateTime = now,
            LastModifiedDateTime = now,
            Sequence = changes.NextSequence(),
        };
        changes.Record(ChangeKind.Created, notification, now, new StoredNotification(notification, [1, 2, 3], notification.Sequence));
        return changes;
    }

    [Fact]
    public async Task ConcurrentCommits_OfManyUsers_ShareTransactions()
    {
        var store = _host.Get<INotificationStore>();
        var writer = _host.Get<SqliteWriteQueue>();
        var (transactionsBefore, writesBefore) = (writer.Transactions, writer.Writes);

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => store.CommitAsync(Created(new UserKey("app", $"user-{i}"), 0))));

        var writes = writer.Writes - writesBefore;
        var transactions = writer.Transactions - transactionsBefore;
        Assert.Equal(300, writes);
        Assert.True(transactions < writes, $"{writes} writes took {transactions} transactions");
        for (var i = 0; i < 300; i += 37)
        {
            var feed = await store.ReadChangesAsync(new UserKey("app", $"user-{i}"), 0, 10);
            Assert.Single(feed.Changes);
        }
    }

    [Fact]
    public async Task Commit_FromAStaleSequence_IsRejected_AndWritesNothing()
    {
        var store = _host.Get<INotificationStore>();
        var user = new UserKey("app", "cas");
        await store.CommitAsync(Created(user, 0));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.CommitAsync(Created(user, 0)));
        await store.CommitAsync(Created(user, 1));

        var feed = await store.ReadChangesAsync(user, 0, 10);
        Assert.Equal([1L, 2], feed.Changes.Select(c => c.Sequence));
        Assert.Equal(2, (await store.ListAsync(user, new NotificationQuery(10, null, null, null, null), DateTimeOffset.UtcNow)).Items.Count);
    }

    [Fact]
    public async Task AFailingWrite_DoesNotTakeItsBatchNeighboursDown()
    {
        var writer = _host.Get<SqliteWriteQueue>();
        var store = _host.Get<INotificationStore>();
        var good = Enumerable.Range(0, 50).Select(i => store.CommitAsync(Created(new UserKey("app", $"neighbour-{i}"), 0))).ToList();
        var bad = writer.WriteAsync(context => context.Command("INSERT INTO no_such_table VALUES (1)").ExecuteNonQuery());
        good.AddRange(Enumerable.Range(50, 50).Select(i => store.CommitAsync(Created(new UserKey("app", $"neighbour-{i}"), 0))));

        await Task.WhenAll(good);
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => bad);
        Assert.IsType<SqliteException>(error.InnerException);
    }
}
