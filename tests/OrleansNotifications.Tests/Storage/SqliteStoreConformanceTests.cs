using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Runtime;
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
        var store = Get<INotificationStore>();
        var users = Enumerable.Range(0, 200).Select(i => new UserKey("app", $"wal-{i}")).ToArray();

        // Rounds of concurrent commits, each a few group commits dirtying pages all over the per-user indexes. The writer
        // must keep restarting the WAL (threshold: 64 frames), not just once. Counted in rounds, never in time: a loaded
        // machine (CI runs every test class at once) can starve the checkpointer thread for dozens of rounds, and then
        // only the writer's overdue restart (at 128 frames) bounds the WAL (SqliteCheckpointerTests tests that alone).
        const int maxRounds = 300, restartsWanted = 10;
        var restarts = new List<long>();
        // The loop tests what it recorded, not the live counter: a restart can land between the two reads.
        while ((restarts.Count == 0 || restarts[^1] < restartsWanted) && restarts.Count < maxRounds)
        {
            await Task.WhenAll(users.Select(user => store.CommitAsync(Created(user, restarts.Count))));
            restarts.Add(writer.WalRestarts);
        }

        Assert.True(restarts[^1] >= restartsWanted, $"WAL restarts after each round: {string.Join(", ", restarts)}");
        var walBytes = new FileInfo(DatabaseFile + "-wal").Length;
        Assert.True(walBytes < 16L << 20, $"the WAL is {walBytes >> 20} MiB");
        foreach (var user in users.Where((_, i) => i % 41 == 0))
        {
            var feed = await store.ReadChangesAsync(user, 0, maxRounds);
            Assert.Equal(Enumerable.Range(1, restarts.Count).Select(i => (long)i), feed.Changes.Select(c => c.Sequence));
        }
    }

    [Fact]
    public async Task AVersion3Database_IsUpgraded_WithItsRowsSequenceAndLookupsIntact()
    {
        var file = Path.Combine(_data.Path, "v3.db");
        Notification Row(string id, string? anid, long sequence) => new()
        {
            Id = id, AppNotificationId = anid, Payload = new Payload($"n{sequence}", null), ExpirationDateTime = Now.AddDays(1),
            CreatedDateTime = Now, LastModifiedDateTime = Now, Sequence = sequence,
        };
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            SqliteSchema.Apply(connection, lastVersion: 3);
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO users VALUES ('app', 'old', 5);
                INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                                           published_sequence, expires_ms, content_hash, resource)
                VALUES ('app', 'old', 'n1', 'order-1', NULL, 0, 0, 1, @expires, x'01', @first),
                       ('app', 'old', 'n2', NULL, NULL, 0, 0, 5, @expires, x'02', @second);
                INSERT INTO users VALUES ('app', 'fed', 4);
                INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification)
                VALUES ('app', 'fed', 3, 2, 'f1', 0, NULL), ('app', 'fed', 4, 2, 'f2', 0, NULL);
                """;
            insert.Parameters.AddWithValue("@expires", Now.AddDays(1).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("@first", new StoredNotification(Row("n1", "order-1", 1), [1], 1).Json);
            insert.Parameters.AddWithValue("@second", new StoredNotification(Row("n2", null, 5), [2], 5).Json);
            insert.ExecuteNonQuery();
        }

        await using var provider = StorageOn(file);
        var store = provider.GetRequiredService<INotificationStore>();
        var user = new UserKey("app", "old");

        Assert.Equal(5, (await store.ReadUserAsync(user)).Sequence);
        Assert.Equal("n1", (await store.FindByAppNotificationIdAsync(user, "order-1"))!.Resource.Id);
        Assert.Equal("n2", (await store.GetAsync(user, "n2", Now))!.Resource.Id);
        Assert.Null(await store.GetAsync(new UserKey("app", "other"), "n2", Now));
        Assert.Equal(["order-1"], await store.ListAppNotificationIdsAsync(user));
        var history = await store.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now);
        Assert.Equal(["n2", "n1"], history.Items.Select(json => new StoredNotification(json, [], 0).Resource.Id));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.CommitAsync(Created(user, 4)));
        await store.CommitAsync(Created(user, 5));
        Assert.Equal(6, (await store.ReadUserAsync(user)).Sequence);
        Assert.True((await store.ReadChangesAsync(user, 4, 10)).CursorExpired); // version 3 kept no changes of n1 and n2
        Assert.Equal([6L], (await store.ReadChangesAsync(user, 5, 10)).Changes.Select(c => c.Sequence));
        Assert.Equal(["n1", "n2"], (await store.ListAsync(user, new NotificationQuery(10, null, null, null, 6), Now)).Items
            .Select(json => new StoredNotification(json, [], 0).Resource.Id).Order());

        // A user whose users row version 3 kept at its newest sequence, with changes 3–4 still in the feed (1–2 pruned).
        var fed = new UserKey("app", "fed");
        Assert.Equal(4, (await store.ReadUserAsync(fed)).Sequence);
        Assert.Equal([3L, 4], (await store.ReadChangesAsync(fed, 2, 10)).Changes.Select(c => c.Sequence));
        Assert.True((await store.ReadChangesAsync(fed, 1, 10)).CursorExpired);
    }

    [Fact]
    public async Task AVersion5Database_GetsThePublishingChangeOfEachStoredNotificationFlagged()
    {
        var file = Path.Combine(_data.Path, "v5.db");
        Notification Row(string id, long sequence) => new()
        {
            Id = id, Payload = new Payload(id, null), ExpirationDateTime = Now.AddDays(1), CreatedDateTime = Now,
            LastModifiedDateTime = Now, Sequence = sequence,
        };
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            SqliteSchema.Apply(connection, lastVersion: 5);
            using var insert = connection.CreateCommand();
            // n1 published at 1 and read at 2; n2 published at 3 and replaced at 4; n3 published at 5 and deleted at 6.
            insert.CommandText = """
                INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                                           published_sequence, expires_ms, content_hash, resource)
                VALUES ('app', 'u', 'n1', NULL, NULL, 1, 0, 1, @expires, x'01', @n1),
                       ('app', 'u', 'n2', 'r', NULL, 0, 0, 4, @expires, x'02', @n2);
                INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification)
                VALUES ('app', 'u', 1, 0, 'n1', 0, NULL), ('app', 'u', 2, 1, 'n1', 0, NULL), ('app', 'u', 3, 0, 'n2', 0, NULL),
                       ('app', 'u', 4, 1, 'n2', 0, NULL), ('app', 'u', 5, 0, 'n3', 0, NULL), ('app', 'u', 6, 2, 'n3', 0, NULL);
                """;
            insert.Parameters.AddWithValue("@expires", Now.AddDays(1).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("@n1", new StoredNotification(Row("n1", 1) with { ReadState = ReadState.Read }, [1], 1).Json);
            insert.Parameters.AddWithValue("@n2", new StoredNotification(Row("n2", 4), [2], 4).Json);
            insert.ExecuteNonQuery();

            SqliteSchema.Apply(connection);
            using var flagged = connection.CreateCommand();
            flagged.CommandText = "SELECT group_concat(sequence) FROM (SELECT sequence FROM changes WHERE publishes = 1 ORDER BY sequence)";
            Assert.Equal("1,4", flagged.ExecuteScalar());
        }

        await using var provider = StorageOn(file);
        var store = provider.GetRequiredService<INotificationStore>();
        var user = new UserKey("app", "u");
        var history = await store.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now);
        Assert.Equal(["n2", "n1"], history.Items.Select(json => new StoredNotification(json, [], 0).Resource.Id));
        Assert.Equal(["n2"], (await store.ListUnreadAsync(user, null, Now)).Select(n => n.Resource.Id));
        await store.CommitAsync(Created(user, 6));
        Assert.Equal(3, (await store.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Count);
    }

    [Fact]
    public async Task AChangeSet_ThatTookASequenceWithoutAChange_IsRefused()
    {
        // The sequence is the newest change's: a number taken without a change row would leave the grain ahead of it.
        var store = Get<INotificationStore>();
        var user = NewUser();
        var changes = Created(user, 0);
        changes.NextSequence();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync(changes));
        Assert.Equal(0, (await store.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public void ADatabaseNewerThanThisBuild_IsRefused_NotWritten()
    {
        var file = Path.Combine(_data.Path, "newer.db");
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        SqliteSchema.Apply(connection);
        using (var bump = connection.CreateCommand())
        {
            bump.CommandText = "PRAGMA user_version = 999;";
            bump.ExecuteNonQuery();
        }

        var refused = Assert.Throws<InvalidOperationException>(() => SqliteSchema.Apply(connection));
        Assert.Contains("999", refused.Message);
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version;";
        Assert.Equal(999L, version.ExecuteScalar()); // the refusal rolled back: the database is left as the newer build wrote it
    }

    /// <summary>The provider started on an existing database file: migrations run as on a server's start.</summary>
    private static ServiceProvider StorageOn(string file)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSqliteStorage(o => o.ConnectionString = $"Data Source={file}");
        return services.BuildServiceProvider();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }
}
