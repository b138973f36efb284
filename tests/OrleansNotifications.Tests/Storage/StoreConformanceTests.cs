using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Tests.Storage;

/// <summary>
/// What every storage provider promises, run against each one through its own <c>Add…Storage</c> registration. Each test
/// gets empty storage: pruning and reminder scans are global, so tests must not see each other's rows.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    // Whole milliseconds: instants are stored as epoch milliseconds.
    protected static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private ServiceProvider _provider = null!;

    /// <summary>Registers the provider under test on empty storage.</summary>
    protected abstract Task AddStorageAsync(IServiceCollection services);

    /// <summary>The provider's group-commit counters.</summary>
    protected abstract (long Transactions, long Writes) WriterCounters();

    /// <summary>A raw write through the provider's group-commit queue that the database rejects.</summary>
    protected abstract Task WriteToMissingTableAsync();

    /// <summary>The provider's own exception type, expected inside <see cref="StorageUnavailableException"/>.</summary>
    protected abstract Type ProviderExceptionType { get; }

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        await AddStorageAsync(services);
        _provider = services.BuildServiceProvider();
    }

    public virtual async Task DisposeAsync() => await _provider.DisposeAsync();

    protected T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    private INotificationStore Notifications => Get<INotificationStore>();

    protected static UserKey NewUser() => new("app", "u-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Adds a created notification to <paramref name="changes"/>.</summary>
    private static Notification Publish(UserChangeSet changes, DateTimeOffset? expires = null, string? anid = null, string? group = null,
        ReadState read = ReadState.Unread, DateTimeOffset? occurred = null)
    {
        var notification = new Notification
        {
            Id = Guid.NewGuid().ToString("N"),
            AppNotificationId = anid,
            GroupName = group,
            ReadState = read,
            Payload = new Payload("x", null),
            ExpirationDateTime = expires ?? Now.AddDays(1),
            CreatedDateTime = Now,
            LastModifiedDateTime = Now,
            Sequence = changes.NextSequence(),
        };
        changes.Record(ChangeKind.Created, notification, occurred ?? Now, new StoredNotification(notification, [1, 2, 3], notification.Sequence));
        return notification;
    }

    protected static UserChangeSet Created(UserKey user, long expected, DateTimeOffset? occurred = null)
    {
        var changes = new UserChangeSet(user, expected);
        Publish(changes, occurred: occurred);
        return changes;
    }

    private static string IdOf(byte[] json) => new StoredNotification(json, [], 0).Resource.Id;

    private static Delivery NewDelivery(UserKey user, string subscription, string notification, PushMessageKind kind, long sequence,
        DateTimeOffset? next) =>
        new(subscription, notification, kind, user, PlatformType.Android, sequence, ChangeKind.Created, DeliveryStatus.Pending, 0, next,
            null, null, Now.AddDays(1));

    [Fact]
    public async Task ConcurrentCommits_OfManyUsers_ShareTransactions()
    {
        var (transactionsBefore, writesBefore) = WriterCounters();

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Notifications.CommitAsync(Created(new UserKey("app", $"user-{i}"), 0))));

        var (transactionsAfter, writesAfter) = WriterCounters();
        var writes = writesAfter - writesBefore;
        var transactions = transactionsAfter - transactionsBefore;
        Assert.Equal(300, writes);
        Assert.True(transactions < writes, $"{writes} writes took {transactions} transactions");
        for (var i = 0; i < 300; i += 37)
        {
            var feed = await Notifications.ReadChangesAsync(new UserKey("app", $"user-{i}"), 0, 10);
            Assert.Single(feed.Changes);
        }
    }

    [Fact]
    public async Task Commit_FromAStaleSequence_IsRejected_AndWritesNothing()
    {
        var user = NewUser();
        await Notifications.CommitAsync(Created(user, 0));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Notifications.CommitAsync(Created(user, 0)));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Notifications.CommitAsync(Created(user, 5)));
        await Notifications.CommitAsync(Created(user, 1));

        var feed = await Notifications.ReadChangesAsync(user, 0, 10);
        Assert.Equal([1L, 2], feed.Changes.Select(c => c.Sequence));
        Assert.Equal(2, (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Count);
        Assert.Equal(2, (await Notifications.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public async Task StaleAndCurrentCommits_Together_EachGetTheirOwnOutcome()
    {
        var users = Enumerable.Range(0, 40).Select(_ => NewUser()).ToList();
        await Task.WhenAll(users.Select(user => Notifications.CommitAsync(Created(user, 0))));

        // Sent at once, so they share groups: the current ones commit, the stale ones (expecting 0 or 5, not 1) write nothing.
        var commits = users.Select((user, i) => Notifications.CommitAsync(Created(user, (i % 3) switch { 0 => 1, 1 => 0, _ => 5 }))).ToList();
        for (var i = 0; i < users.Count; i++)
        {
            if (i % 3 == 0)
            {
                await commits[i];
            }
            else
            {
                await Assert.ThrowsAsync<InconsistentStateException>(() => commits[i]);
            }

            var expected = i % 3 == 0 ? 2 : 1;
            Assert.Equal(expected, (await Notifications.ReadChangesAsync(users[i], 0, 10)).Changes.Count);
            Assert.Equal(expected, (await Notifications.ListAsync(users[i], new NotificationQuery(10, null, null, null, null), Now)).Items.Count);
            Assert.Equal(expected, (await Notifications.ReadUserAsync(users[i])).Sequence);
        }
    }

    [Fact]
    public async Task AFailingWrite_DoesNotTakeItsBatchNeighboursDown()
    {
        var good = Enumerable.Range(0, 50).Select(i => Notifications.CommitAsync(Created(new UserKey("app", $"neighbour-{i}"), 0))).ToList();
        var bad = WriteToMissingTableAsync();
        good.AddRange(Enumerable.Range(50, 50).Select(i => Notifications.CommitAsync(Created(new UserKey("app", $"neighbour-{i}"), 0))));

        await Task.WhenAll(good);
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => bad);
        Assert.IsAssignableFrom(ProviderExceptionType, error.InnerException);
        Assert.Single((await Notifications.ReadChangesAsync(new UserKey("app", "neighbour-99"), 0, 10)).Changes);
    }

    [Fact]
    public async Task AWriteTheDatabaseRefuses_FailsAlone_AndTheUsersNextWriteSucceeds()
    {
        var user = NewUser();
        var first = new UserChangeSet(user, 0);
        var kept = Publish(first, anid: "kept", group: "g");
        await Notifications.CommitAsync(first);

        // A change numbered like one already stored: the sequence guard passes, the change row's key does not.
        var clash = new UserChangeSet(user, 1);
        clash.NextSequence();
        var twin = kept with { Id = Guid.NewGuid().ToString("N") };
        clash.Record(ChangeKind.Created, twin, Now, new StoredNotification(twin, [4], twin.Sequence));
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Notifications.CommitAsync(clash));
        Assert.IsAssignableFrom(ProviderExceptionType, error.InnerException);

        var next = new UserChangeSet(user, 1);
        var published = Publish(next, anid: "next");
        await Notifications.CommitAsync(next);
        Assert.Equal([published.Id, kept.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal([1L, 2L], (await Notifications.ReadChangesAsync(user, 0, 10)).Changes.Select(c => c.Sequence));
        Assert.Equal("g", (await Notifications.FindByAppNotificationIdAsync(user, "kept"))!.Resource.GroupName);
    }

    [Fact]
    public async Task UpsertsAndDeletes_AreListedNewestFirst_WithPagingAndFilters()
    {
        var user = NewUser();
        var changes = new UserChangeSet(user, 0);
        var n1 = Publish(changes);
        var n2 = Publish(changes, read: ReadState.Read);
        var n3 = Publish(changes, group: "g");
        var expired = Publish(changes, expires: Now.AddMinutes(-1), anid: "old");
        var n5 = Publish(changes, anid: "five");
        await Notifications.CommitAsync(changes);

        var first = await Notifications.ListAsync(user, new NotificationQuery(2, null, null, null, null), Now);
        Assert.Equal([n5.Id, n3.Id], first.Items.Select(IdOf));
        Assert.Equal(n3.Sequence, first.NextBefore);
        var second = await Notifications.ListAsync(user, new NotificationQuery(2, null, null, null, first.NextBefore), Now);
        Assert.Equal([n2.Id, n1.Id], second.Items.Select(IdOf));
        Assert.Null(second.NextBefore);
        Assert.Equal([n2.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, ReadState.Read, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal([n3.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, "g", null), Now)).Items.Select(IdOf));
        Assert.Empty((await Notifications.ListAsync(user, new NotificationQuery(10, null, UserActionState.Dismissed, null, null), Now)).Items);

        // A read marks n1 (same published sequence), and n5 is deleted.
        var update = new UserChangeSet(user, 5);
        var read = n1 with { ReadState = ReadState.Read, Sequence = update.NextSequence() };
        update.Record(ChangeKind.Updated, read, Now, new StoredNotification(read, [1, 2, 3], n1.Sequence));
        update.RecordRemoval(ChangeKind.Deleted, n5.Id, Now);
        await Notifications.CommitAsync(update);

        Assert.Equal([n3.Id, n2.Id, n1.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal([n2.Id, n1.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, ReadState.Read, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal(ReadState.Read, (await Notifications.GetAsync(user, n1.Id, Now))!.Resource.ReadState);
        Assert.Null(await Notifications.FindByAppNotificationIdAsync(user, "five"));
        Assert.Null(await Notifications.GetAsync(user, n5.Id, Now));
        Assert.Null(await Notifications.GetAsync(user, expired.Id, Now));
        Assert.Equal(7, (await Notifications.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public async Task Lookups_ByAppNotificationId_Group_Unread_AndExpiry()
    {
        var user = NewUser();
        var changes = new UserChangeSet(user, 0);
        var late = Publish(changes, expires: Now.AddHours(3), group: "g");
        var soon = Publish(changes, expires: Now.AddHours(1), group: "g", read: ReadState.Read);
        var gone = Publish(changes, expires: Now.AddMinutes(-5), anid: "gone");
        var older = Publish(changes, expires: Now.AddMinutes(-10));
        var other = Publish(changes, anid: "kept");
        await Notifications.CommitAsync(changes);

        var found = await Notifications.FindByAppNotificationIdAsync(user, "gone");
        Assert.Equal(gone.Id, found!.Resource.Id);
        Assert.Equal(gone.Sequence, found.PublishedSequence);
        Assert.Equal([1, 2, 3], found.ContentHash);
        Assert.Equal(other.Id, (await Notifications.FindByAppNotificationIdAsync(user, "kept"))!.Resource.Id);
        Assert.Null(await Notifications.FindByAppNotificationIdAsync(NewUser(), "kept"));
        Assert.Equal(["gone", "kept"], (await Notifications.ListAppNotificationIdsAsync(user)).Order());
        Assert.Empty(await Notifications.ListAppNotificationIdsAsync(NewUser()));
        Assert.Equal(new[] { late.Id, soon.Id }.Order(), (await Notifications.ListGroupAsync(user, "g", Now)).Select(n => n.Resource.Id).Order());
        Assert.Empty(await Notifications.ListGroupAsync(user, "g", Now.AddHours(4)));
        Assert.Equal([late.Id, other.Id], (await Notifications.ListUnreadAsync(user, null, Now)).Select(n => n.Resource.Id));
        Assert.Equal([late.Id], (await Notifications.ListUnreadAsync(user, "g", Now)).Select(n => n.Resource.Id));
        Assert.Equal([older.Id, gone.Id], await Notifications.ListExpiredAsync(user, Now, 10));
        Assert.Equal([older.Id], await Notifications.ListExpiredAsync(user, Now, 1));
        Assert.Equal(Now.AddHours(1), await Notifications.EarliestExpiryAfterAsync(user, Now));
        Assert.Equal(Now.AddHours(3), await Notifications.EarliestExpiryAfterAsync(user, Now.AddHours(1)));
        Assert.Null(await Notifications.EarliestExpiryAfterAsync(user, Now.AddDays(2)));
    }

    [Fact]
    public async Task ExpiryReminder_IsWrittenAndDeleted_WithTheCommit()
    {
        var user = NewUser();
        var changes = Created(user, 0);
        changes.MoveReminder(Now.AddHours(1));
        await Notifications.CommitAsync(changes);
        Assert.Equal(new UserHead(1, Now.AddHours(1)), await Notifications.ReadUserAsync(user));
        Assert.Contains(new ReminderEntry(new GrainId(UserGrain.GrainTypeName, user.GrainKey), UserGrain.ExpiryReminderName, Now.AddHours(1)),
            await Get<IReminderTable>().GetDueAsync(Now.AddHours(2), 100));

        var clear = Created(user, 1);
        clear.MoveReminder(null);
        await Notifications.CommitAsync(clear);
        Assert.Equal(new UserHead(2, null), await Notifications.ReadUserAsync(user));
        Assert.Equal(new UserHead(0, null), await Notifications.ReadUserAsync(NewUser()));
    }

    [Fact]
    public async Task ChangeFeed_PagesFromACursor_AndReportsCursorsBeyondThePrunedPrefix()
    {
        var user = NewUser();
        var changes = new UserChangeSet(user, 0);
        Publish(changes);
        Publish(changes);
        await Notifications.CommitAsync(changes);
        await Notifications.CommitAsync(Created(user, 2));

        var first = await Notifications.ReadChangesAsync(user, 0, 2);
        Assert.Equal([1L, 2], first.Changes.Select(c => c.Sequence));
        Assert.True(first.HasMore);
        Assert.False(first.CursorExpired);
        var change = first.Changes[0];
        Assert.Equal((ChangeKind.Created, Now), (change.Kind, change.OccurredDateTime));
        Assert.NotNull(change.NotificationJson);
        var rest = await Notifications.ReadChangesAsync(user, 2, 10);
        Assert.Equal([3L], rest.Changes.Select(c => c.Sequence));
        Assert.False(rest.HasMore);
        var end = await Notifications.ReadChangesAsync(user, 3, 10);
        Assert.Equal((0, false, false, 3L), (end.Changes.Count, end.HasMore, end.CursorExpired, end.CurrentSequence));
        var empty = await Notifications.ReadChangesAsync(NewUser(), 0, 10);
        Assert.Equal((0, false, 0L), (empty.Changes.Count, empty.CursorExpired, empty.CurrentSequence));
    }

    [Fact]
    public async Task Pruning_DeletesOnlyACommitOrderPrefix_SoEveryFeedStaysGapFree()
    {
        var (a, b) = (NewUser(), NewUser());
        var old = Now.AddDays(-10);
        await Notifications.CommitAsync(Created(a, 0, old));
        await Notifications.CommitAsync(Created(b, 0, old));
        await Notifications.CommitAsync(Created(a, 1, Now));
        await Notifications.CommitAsync(Created(b, 1, old)); // old, but written after a newer change: kept, or b would have a gap
        await Notifications.CommitAsync(Created(b, 2, Now));

        Assert.Equal(1, await Notifications.PruneChangesAsync(Now.AddDays(-1), 1));
        Assert.Equal(1, await Notifications.PruneChangesAsync(Now.AddDays(-1), 100));
        Assert.Equal(0, await Notifications.PruneChangesAsync(Now.AddDays(-1), 100));

        var expired = await Notifications.ReadChangesAsync(a, 0, 10);
        Assert.Equal((true, 0, 2L), (expired.CursorExpired, expired.Changes.Count, expired.CurrentSequence));
        Assert.Equal([2L], (await Notifications.ReadChangesAsync(a, 1, 10)).Changes.Select(c => c.Sequence));
        Assert.True((await Notifications.ReadChangesAsync(b, 0, 10)).CursorExpired);
        Assert.Equal([2L, 3], (await Notifications.ReadChangesAsync(b, 1, 10)).Changes.Select(c => c.Sequence));
    }

    [Fact]
    public async Task Pruning_EveryChangeOfAUser_KeepsItsSequence_AndTheCompareAndSwap()
    {
        var user = NewUser();
        var old = Now.AddDays(-10);
        await Notifications.CommitAsync(Created(user, 0, old));
        await Notifications.CommitAsync(Created(user, 1, old));

        Assert.Equal(2, await Notifications.PruneChangesAsync(Now.AddDays(-1), 100));

        Assert.Equal(2, (await Notifications.ReadUserAsync(user)).Sequence);
        var expired = await Notifications.ReadChangesAsync(user, 0, 10);
        Assert.Equal((true, 2L), (expired.CursorExpired, expired.CurrentSequence));
        var upToDate = await Notifications.ReadChangesAsync(user, 2, 10);
        Assert.Equal((0, false, 2L), (upToDate.Changes.Count, upToDate.CursorExpired, upToDate.CurrentSequence));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Notifications.CommitAsync(Created(user, 0)));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Notifications.CommitAsync(Created(user, 1)));
        await Notifications.CommitAsync(Created(user, 2));
        Assert.Equal([3L], (await Notifications.ReadChangesAsync(user, 2, 10)).Changes.Select(c => c.Sequence));
        Assert.Equal(3, (await Notifications.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public async Task Pruning_TheChangesThatPublishedStoredNotifications_LeavesHistoryAndLookupsWhole()
    {
        // A retention shorter than a notification's life prunes the change that published it while it is still stored.
        var user = NewUser();
        var old = Now.AddDays(-10);
        var first = new UserChangeSet(user, 0);
        var kept = Publish(first, expires: Now.AddDays(2), anid: "kept", group: "g", occurred: old);
        var soon = Publish(first, expires: Now.AddMinutes(-1), occurred: old);
        await Notifications.CommitAsync(first);
        var read = new UserChangeSet(user, 2); // an older state change of a kept notification, pruned with the rest
        var marked = kept with { ReadState = ReadState.Read, Sequence = read.NextSequence() };
        read.Record(ChangeKind.Updated, marked, old, new StoredNotification(marked, [1, 2, 3], kept.Sequence));
        await Notifications.CommitAsync(read);
        var removal = new UserChangeSet(user, 3);
        removal.RecordRemoval(ChangeKind.Expired, soon.Id, old);
        await Notifications.CommitAsync(removal);
        var fresh = new UserChangeSet(user, 4);
        var later = Publish(fresh, occurred: Now);
        await Notifications.CommitAsync(fresh);

        Assert.Equal(4, await Notifications.PruneChangesAsync(Now.AddDays(-1), 100));
        Assert.Equal(0, await Notifications.PruneChangesAsync(Now.AddDays(-1), 100));

        Assert.Equal([later.Id, kept.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal([kept.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, ReadState.Read, null, null, null), Now)).Items.Select(IdOf));
        Assert.Equal(kept.Id, (await Notifications.FindByAppNotificationIdAsync(user, "kept"))!.Resource.Id);
        Assert.Equal(["kept"], await Notifications.ListAppNotificationIdsAsync(user));
        Assert.Equal([kept.Id], (await Notifications.ListGroupAsync(user, "g", Now)).Select(n => n.Resource.Id));
        Assert.Equal([later.Id], (await Notifications.ListUnreadAsync(user, null, Now)).Select(n => n.Resource.Id));
        Assert.Equal(2, (await Notifications.CountByStateAsync(user, Now)).Sum(c => c.Count));
        Assert.Equal([later.Id, kept.Id], await Notifications.ListExpiredAsync(user, Now.AddDays(2), 10));
        Assert.Equal(Now.AddDays(2), await Notifications.EarliestExpiryAfterAsync(user, Now.AddDays(1)));

        // The feed: everything up to the pruned sequence is gone, so older cursors are expired and nothing below it is served.
        foreach (var since in new long[] { 0, 1, 2, 3 })
        {
            var expired = await Notifications.ReadChangesAsync(user, since, 10);
            Assert.Equal((true, 0, 5L), (expired.CursorExpired, expired.Changes.Count, expired.CurrentSequence));
        }

        Assert.Equal([5L], (await Notifications.ReadChangesAsync(user, 4, 10)).Changes.Select(c => c.Sequence));
        Assert.Equal(5, (await Notifications.ReadUserAsync(user)).Sequence);

        // Once the notification is deleted, a prune takes the change that published it too; pruning again with the same
        // cutoff (the pruner's loop) finds nothing more, even though every change left is older than the cutoff.
        var delete = new UserChangeSet(user, 5);
        delete.RecordRemoval(ChangeKind.Deleted, kept.Id, Now);
        await Notifications.CommitAsync(delete);
        Assert.NotEqual(0, await Notifications.PruneChangesAsync(Now.AddDays(1), 100));
        Assert.Equal(0, await Notifications.PruneChangesAsync(Now.AddDays(1), 100));
        Assert.Equal([later.Id], (await Notifications.ListAsync(user, new NotificationQuery(10, null, null, null, null), Now)).Items.Select(IdOf));
        Assert.Empty(await Notifications.ListAppNotificationIdsAsync(user));
        var end = await Notifications.ReadChangesAsync(user, 5, 10);
        Assert.Equal((true, 6L), (end.CursorExpired, end.CurrentSequence));
        Assert.Equal(6, (await Notifications.ReadUserAsync(user)).Sequence);
    }

    [Fact]
    public async Task Subscriptions_ReplaceByDevice_RespectTheLimit_AndCanBeInvalidated()
    {
        var store = Get<ISubscriptionStore>();
        var user = NewUser();
        Subscription Android(string id, string device, string token, DateTimeOffset created) =>
            new(id, user, PlatformType.Android, device, token, null, created, created.AddDays(30), SubscriptionStatus.Active);

        var first = await store.SaveAsync(Android("s1", "d1", "t1", Now), 2);
        Assert.Equal("s1", first!.Id);
        var replaced = await store.SaveAsync(Android("s-other", "d1", "t2", Now.AddSeconds(1)), 2);
        Assert.Equal(("s1", "t2"), (replaced!.Id, replaced.PushToken));
        var web = new Subscription("s2", user, PlatformType.WebPush, null, null, new WebPushTarget("https://push.example/1", "p256", "auth"),
            Now.AddSeconds(2), Now.AddDays(30), SubscriptionStatus.Active);
        Assert.Equal(web, await store.SaveAsync(web, 2));
        Assert.Null(await store.SaveAsync(Android("s3", "d3", "t3", Now.AddSeconds(3)), 2));
        Assert.NotNull(await store.SaveAsync(Android("s4", "d1", "t4", Now.AddSeconds(4)), 2)); // a replacement fits at the limit

        Assert.Equal(["s1", "s2"], (await store.ListAsync(user, Now.AddSeconds(5))).Select(s => s.Id));
        Assert.Equal(web, await store.GetAsync("s2", Now));
        Assert.Null(await store.GetAsync("s2", Now.AddDays(31)));
        Assert.Empty(await store.ListAsync(user, Now.AddDays(31)));

        await store.MarkInvalidAsync("s1");
        Assert.Equal(SubscriptionStatus.Invalid, (await store.GetAsync("s1", Now))!.Status);
        Assert.True(await store.DeleteAsync(user, "s1"));
        Assert.False(await store.DeleteAsync(user, "s1"));
        Assert.False(await store.DeleteAsync(NewUser(), "s2"));
        Assert.Equal(["s2"], (await store.ListAsync(user, Now)).Select(s => s.Id));
    }

    [Fact]
    public async Task Subscriptions_ForTheSamePushAddress_AreOne_WhicheverWayTheyArePosted()
    {
        var store = Get<ISubscriptionStore>();
        var user = NewUser();
        Subscription Push(string id, PlatformType platform, string? device, string token, int second) =>
            new(id, user, platform, device, token, null, Now.AddSeconds(second), Now.AddSeconds(second).AddDays(30), SubscriptionStatus.Active);
        Subscription Web(string id, string auth, int second) =>
            new(id, user, PlatformType.WebPush, null, null, new WebPushTarget("https://push.example/1", "p256", auth),
                Now.AddSeconds(second), Now.AddSeconds(second).AddDays(30), SubscriptionStatus.Active);

        await store.SaveAsync(Push("a1", PlatformType.Android, null, "t1", 0), 4);
        await store.MarkInvalidAsync("a1");
        var renewed = await store.SaveAsync(Push("a2", PlatformType.Android, null, "t1", 1), 4);
        Assert.Equal(("a1", Now.AddSeconds(1).AddDays(30), SubscriptionStatus.Active), (renewed!.Id, renewed.ExpirationDateTime, renewed.Status));
        Assert.Equal("i1", (await store.SaveAsync(Push("i1", PlatformType.Ios, null, "t1", 2), 4))!.Id);
        await store.SaveAsync(Web("w1", "auth1", 3), 4);
        Assert.Equal(("w1", "auth2"), ((await store.SaveAsync(Web("w2", "auth2", 4), 4))!.Id, (await store.GetAsync("w1", Now))!.WebPush!.Auth));

        // The token gets a device id, and keeps it when re-posted without one.
        Assert.Equal(("a1", "d1"), ((await store.SaveAsync(Push("a3", PlatformType.Android, "d1", "t1", 5), 4))!.Id, (await store.GetAsync("a1", Now))!.DeviceId));
        Assert.Equal("d1", (await store.SaveAsync(Push("a4", PlatformType.Android, null, "t1", 6), 4))!.DeviceId);

        // Another device takes the token over: its own subscription is kept, the token's other one goes. At the limit too.
        await store.SaveAsync(Push("b1", PlatformType.Android, "d2", "t2", 7), 4);
        Assert.Equal("b1", (await store.SaveAsync(Push("b2", PlatformType.Android, "d2", "t1", 8), 4))!.Id);
        Assert.Equal(["b1", "w1", "i1"], (await store.ListAsync(user, Now)).Select(s => s.Id));
        Assert.Equal("t1", (await store.GetAsync("b1", Now))!.PushToken);
    }

    [Fact]
    public async Task OperatorQueries_CountByState_LatestDeliveries_AndPendingOnes()
    {
        var deliveries = Get<IDeliveryStore>();
        var before = await deliveries.CountPendingAsync();
        var user = NewUser();
        var changes = new UserChangeSet(user, 0);
        var unread = Publish(changes);
        Publish(changes, read: ReadState.Read);
        Publish(changes, read: ReadState.Read);
        Publish(changes, expires: Now.AddMinutes(-1)); // expired: not counted
        changes.Deliveries.Add(NewDelivery(user, "s1", unread.Id, PushMessageKind.Notification, 1, Now));
        changes.Deliveries.Add(NewDelivery(user, "s2", unread.Id, PushMessageKind.Notification, 1, Now));
        changes.Deliveries.Add(NewDelivery(user, "s3", unread.Id, PushMessageKind.Notification, 1, null) with { Status = DeliveryStatus.Skipped });
        await Notifications.CommitAsync(changes);
        var later = new UserChangeSet(user, 4);
        var newest = Publish(later);
        later.Deliveries.Add(NewDelivery(user, "s1", newest.Id, PushMessageKind.Notification, 5, Now));
        await Notifications.CommitAsync(later);

        Assert.Equal(
            [new StateCount(ReadState.Unread, UserActionState.NoInteraction, 2), new StateCount(ReadState.Read, UserActionState.NoInteraction, 2)],
            (await Notifications.CountByStateAsync(user, Now)).OrderBy(c => c.ReadState));
        Assert.Empty(await Notifications.CountByStateAsync(NewUser(), Now));

        Assert.Equal([("s1", 5L), ("s1", 1L), ("s2", 1L)], (await deliveries.ListLatestAsync(user, 3)).Select(d => (d.SubscriptionId, d.Sequence)));
        Assert.Equal(4, (await deliveries.ListLatestAsync(user, 10)).Count);

        var retrying = NewDelivery(user, "s2", unread.Id, PushMessageKind.Notification, 1, Now) with { Attempts = 1, LastError = "503" };
        await deliveries.UpdateAsync(retrying);
        var after = await deliveries.CountPendingAsync();
        Assert.Equal((2L, 1L), (after.Waiting - before.Waiting, after.Retrying - before.Retrying));
    }

    [Fact]
    public async Task Deliveries_CommittedWithTheChange_WakeTheEndpoint_AndRecordAttempts()
    {
        var deliveries = Get<IDeliveryStore>();
        var user = NewUser();
        var changes = new UserChangeSet(user, 0);
        var n = Publish(changes);
        var toS1 = NewDelivery(user, "s1", n.Id, PushMessageKind.Notification, 1, Now);
        changes.Deliveries.Add(toS1);
        changes.Deliveries.Add(NewDelivery(user, "s2", n.Id, PushMessageKind.StateSync, 1, Now.AddMinutes(1)));
        changes.Deliveries.Add(NewDelivery(user, "s3", n.Id, PushMessageKind.Notification, 1, null) with { Status = DeliveryStatus.Skipped });
        await Notifications.CommitAsync(changes);

        var due = await Get<IReminderTable>().GetDueAsync(Now.AddHours(1), 100);
        Assert.Equal(
            [new(new GrainId(EndpointGrain.GrainTypeName, EndpointGrain.KeyOf(user, "s1")), EndpointGrain.RetryReminderName, Now + EndpointGrain.SafetyNetDelay),
             new(new GrainId(EndpointGrain.GrainTypeName, EndpointGrain.KeyOf(user, "s2")), EndpointGrain.RetryReminderName, Now.AddMinutes(1) + EndpointGrain.SafetyNetDelay)],
            due.Where(r => r.Grain.Type == EndpointGrain.GrainTypeName));
        Assert.Equal([toS1], await deliveries.ListDueAsync("s1", Now, 10));
        Assert.Empty(await deliveries.ListDueAsync("s2", Now, 10));
        Assert.Equal(Now.AddMinutes(1), await deliveries.NextAttemptAsync("s2"));
        Assert.Null(await deliveries.NextAttemptAsync("s3"));
        Assert.Equal(["s1", "s3"], (await deliveries.ListForNotificationAsync(user, n.Id)).Select(d => d.SubscriptionId));

        var attempted = toS1 with { Attempts = 1, NextAttemptAt = Now.AddSeconds(30), LastAttemptAt = Now, LastError = "503" };
        await deliveries.UpdateAsync(attempted);
        Assert.Equal(attempted, (await deliveries.ListForNotificationAsync(user, n.Id))[0]);

        // A newer delivery of the same key replaces the row; the outcome of the older attempt must not overwrite it.
        var replace = new UserChangeSet(user, 1);
        Publish(replace);
        var newer = NewDelivery(user, "s1", n.Id, PushMessageKind.Notification, 2, Now.AddSeconds(5));
        replace.Deliveries.Add(newer);
        await Notifications.CommitAsync(replace);
        await deliveries.UpdateAsync(attempted with { Status = DeliveryStatus.Delivered, NextAttemptAt = null });
        Assert.Equal(newer, (await deliveries.ListForNotificationAsync(user, n.Id))[0]);

        await deliveries.FailPendingAsync("s1", "gone", Now);
        var failed = (await deliveries.ListForNotificationAsync(user, n.Id))[0];
        Assert.Equal((DeliveryStatus.Failed, "gone", (DateTimeOffset?)null), (failed.Status, failed.LastError, failed.NextAttemptAt));
        Assert.Equal(DeliveryStatus.Skipped, (await deliveries.ListForNotificationAsync(user, n.Id))[1].Status);

        Assert.Equal(0, await deliveries.PruneAsync(Now, 10));
        Assert.Equal(2, await deliveries.PruneAsync(Now.AddDays(2), 2));
        Assert.Equal(1, await deliveries.PruneAsync(Now.AddDays(2), 10));
        Assert.Empty(await deliveries.ListForNotificationAsync(user, n.Id));
    }

    [Fact]
    public async Task AppsAndPushCredentials_RoundTrip()
    {
        var apps = Get<IAppStore>();
        var credentials = Get<IPushCredentialStore>();
        var app = new AppRecord("a1", null, "client-1", [9, 8, 7], "vapid-public", "vapid-private", Now);
        Assert.Null(await credentials.GetAsync("a1"));
        Assert.False(await credentials.SaveAsync("a1", PlatformType.Android, new FcmCredentials("{}"), Now));
        Assert.True(await apps.TryCreateAsync(app));
        Assert.False(await apps.TryCreateAsync(app with { ClientId = "client-2" }));
        var stored = await apps.GetAsync("a1");
        Assert.Equal((app.AppId, app.DisplayName, app.ClientId, app.CreatedDateTime), (stored!.AppId, stored.DisplayName, stored.ClientId, stored.CreatedDateTime));
        Assert.Equal(app.SecretHash, stored.SecretHash);
        Assert.Equal("a1", (await apps.FindByClientIdAsync("client-1"))!.AppId);
        Assert.Null(await apps.FindByClientIdAsync("client-2"));
        Assert.Equal("first", await apps.GetOrAddServerSecretAsync("signing", "first"));
        Assert.Equal("first", await apps.GetOrAddServerSecretAsync("signing", "second"));

        var defaults = await credentials.GetAsync("a1");
        Assert.Null(defaults!.Fcm);
        Assert.Null(defaults.Apns);
        Assert.Equal(("vapid-public", "vapid-private"), (defaults.WebPush!.VapidPublicKey, defaults.WebPush.VapidPrivateKey));

        var apns = new ApnsCredentials("team", "key", "pem", "bundle", ApnsEnvironment.Development);
        Assert.True(await credentials.SaveAsync("a1", PlatformType.Android, new FcmCredentials("{\"a\":1}"), Now));
        Assert.True(await credentials.SaveAsync("a1", PlatformType.Android, new FcmCredentials("{\"a\":2}"), Now));
        Assert.True(await credentials.SaveAsync("a1", PlatformType.Ios, apns, Now));
        Assert.True(await credentials.SaveAsync("a1", PlatformType.WebPush, new WebPushSettings("mailto:ops@example.com"), Now));
        Assert.Equal(new AppPushCredentials(new FcmCredentials("{\"a\":2}"), apns, new WebPushCredentials("mailto:ops@example.com", "vapid-public", "vapid-private")),
            await credentials.GetAsync("a1"));
    }

    [Fact]
    public async Task Reminders_Upsert_DeleteIfUnmoved_AndListDue()
    {
        var reminders = Get<IReminderTable>();
        var (g1, g2) = (new GrainId("counter", "1"), new GrainId("counter", "2"));
        await reminders.UpsertAsync(new ReminderEntry(g1, "tick", Now.AddMinutes(1)));
        await reminders.UpsertAsync(new ReminderEntry(g1, "tick", Now.AddMinutes(2)));
        await reminders.UpsertAsync(new ReminderEntry(g2, "tick", Now.AddMinutes(3)));
        await reminders.UpsertAsync(new ReminderEntry(g2, "tock", Now.AddMinutes(4)));

        Assert.Empty(await reminders.GetDueAsync(Now.AddMinutes(1), 10));
        Assert.Equal([new ReminderEntry(g1, "tick", Now.AddMinutes(2)), new ReminderEntry(g2, "tick", Now.AddMinutes(3))],
            await reminders.GetDueAsync(Now.AddMinutes(3), 10));
        Assert.Single(await reminders.GetDueAsync(Now.AddMinutes(5), 1));

        await reminders.DeleteAsync(g1, "tick", Now.AddMinutes(1)); // moved since: kept
        await reminders.DeleteAsync(g2, "tick", Now.AddMinutes(3));
        await reminders.DeleteAsync(g2, "tock", null);
        Assert.Equal([new ReminderEntry(g1, "tick", Now.AddMinutes(2))], await reminders.GetDueAsync(Now.AddHours(1), 10));
    }

    [Fact]
    public async Task GrainState_IsWrittenAndCleared_OnlyFromTheExpectedEtag()
    {
        var storage = Get<IGrainStorage>();
        var grain = new GrainId("counter", Guid.NewGuid().ToString("N"));
        Assert.Null(await storage.ReadAsync(grain, "state"));

        var etag = await storage.WriteAsync(grain, "state", [1], null);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(grain, "state", [9], null));
        var next = await storage.WriteAsync(grain, "state", [2], etag);
        Assert.NotEqual(etag, next);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(grain, "state", [9], etag));
        var read = await storage.ReadAsync(grain, "state");
        Assert.Equal([2], read!.Payload);
        Assert.Equal(next, read.Etag);
        Assert.Null(await storage.ReadAsync(grain, "other"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(grain, "state", etag));
        await storage.ClearAsync(grain, "state", next);
        Assert.Null(await storage.ReadAsync(grain, "state"));
        await storage.ClearAsync(grain, "state", null);
        Assert.Equal(etag, await storage.WriteAsync(grain, "state", [3], null));
    }

    [Fact]
    public async Task Storage_IsReachable()
    {
        Assert.True(await Get<IStorageHealth>().IsReachableAsync(CancellationToken.None));
    }
}
