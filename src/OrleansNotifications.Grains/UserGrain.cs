using System.Diagnostics;
using System.Security.Cryptography;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Grains;

/// <summary>
/// The notification state machine of one user. It keeps its sequence, expiry bookkeeping and the user's live connections in
/// memory; rows live in the store, which every change reaches before it is acknowledged and relayed to the connections.
/// </summary>
public sealed class UserGrain(
    INotificationStore store, ISubscriptionStore subscriptionStore, IChangeRelay relay, IGrainFactory grains, NotificationMetrics metrics,
    TimeProvider time)
    : Grain, IUserGrain, IRemindable
{
    public const string GrainTypeName = "user";
    public const string ExpiryReminderName = "expiry";
    private const int ExpiryBatch = 500;

    private UserKey _user;
    private long _sequence;

    // Never later than the earliest stored expiration (the reminder is committed with every change that moves it): every
    // operation first expires what is due, so nothing expired is ever replaced, updated or returned.
    private DateTimeOffset? _earliestExpiry;
    private DateTimeOffset? _expiryReminder;

    // After a reminder fired, the stored row may no longer be what this activation last wrote (the reminder service may
    // have rescheduled or be about to delete it), so the next commit rewrites it whatever it believes.
    private bool _expiryReminderUnknown;

    // Hashes of every appNotificationId the user's stored notifications may carry, read on first need: a publish whose id is
    // not here is new, so the common publish needs no storage lookup. It may only hold too much (deleted and expired ones
    // stay; a hash collision costs one lookup), never too little: only this activation writes the user (the sequence guard
    // makes sure), and a failed commit deactivates it.
    private HashSet<int>? _appNotificationIds;

    // Each live connection with the sequence at which it registered: every later change is relayed to it (the hub's
    // outbox checks that its first live change follows that sequence, so a gap is never silent).
    private readonly Dictionary<string, (LiveConnection Connection, long RegisteredAt)> _connections = new(StringComparer.Ordinal);

    // The user's push subscriptions, read when first needed and again after SubscriptionsChangedAsync.
    private IReadOnlyList<Subscription>? _subscriptions;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _user = UserKey.FromGrainKey(GrainKey);
        var head = await store.ReadUserAsync(_user);
        _sequence = head.Sequence;
        _earliestExpiry = head.ExpiryReminder;
        _expiryReminder = head.ExpiryReminder;
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        // Only a failed commit or a stopping host deactivates a grain that has connections; they must not stay open unheard.
        relay.Disconnect(_user, [.. _connections.Values.Select(entry => entry.Connection)]);
        _connections.Clear();
        return Task.CompletedTask;
    }

    public async Task<PublishResult> PublishAsync(NotificationDraft draft)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await PublishOrReplaceAsync(draft);
        }
        finally
        {
            metrics.Published(started);
        }
    }

    private async Task<PublishResult> PublishOrReplaceAsync(NotificationDraft draft)
    {
        await ExpireDueAsync();
        var now = Now();
        var existing = draft.AppNotificationId is { } appNotificationId && await MayBeStoredAsync(appNotificationId)
            ? await store.FindByAppNotificationIdAsync(_user, appNotificationId)
            : null;

        if (existing is not null && existing.Resource.ExpirationDateTime <= now)
        {
            // Belt and braces: should the bookkeeping ever lag, an expired notification is expired, never revived.
            await ExpireDueAsync(force: true);
            existing = null;
        }

        if (existing is not null && CryptographicOperations.FixedTimeEquals(existing.ContentHash, draft.ContentHash))
        {
            return new PublishResult(PublishOutcome.Unchanged, existing);
        }

        var changes = new UserChangeSet(_user, _sequence);
        var sequence = changes.NextSequence();
        var expiration = draft.ExpirationFor(now);
        var notification = new Notification
        {
            Id = existing?.Resource.Id ?? Guid.CreateVersion7().ToString("N"),
            AppNotificationId = draft.AppNotificationId,
            TargetHostName = draft.TargetHostName,
            GroupName = draft.GroupName,
            TargetPolicy = draft.TargetPolicy,
            Priority = draft.Priority,
            DisplayTimeToLive = draft.DisplayTimeToLive,
            ExpirationDateTime = expiration,
            Payload = draft.Payload,
            CreatedDateTime = now,
            LastModifiedDateTime = now,
            ReadState = ReadState.Unread,
            UserActionState = UserActionState.NoInteraction,
            Sequence = sequence,
        };

        var kind = existing is null ? ChangeKind.Created : ChangeKind.Updated;
        var stored = new StoredNotification(notification, draft.ContentHash, sequence);
        changes.Record(kind, notification, now, stored);
        foreach (var subscription in await ActiveSubscriptionsAsync(now))
        {
            var selected = Selects(draft.TargetPolicy, subscription.Platform);
            changes.Deliveries.Add(NewDelivery(subscription, PushMessageKind.Notification, notification.Id, sequence, kind,
                expiration, selected ? DeliveryStatus.Pending : DeliveryStatus.Skipped, now));
        }

        if (_earliestExpiry is null || expiration < _earliestExpiry)
        {
            _earliestExpiry = expiration;
        }

        await CommitAsync(changes);
        if (draft.AppNotificationId is not null)
        {
            _appNotificationIds!.Add(HashOf(draft.AppNotificationId));
        }

        return new PublishResult(existing is null ? PublishOutcome.Created : PublishOutcome.Replaced, stored);
    }

    private async Task<bool> MayBeStoredAsync(string appNotificationId)
    {
        _appNotificationIds ??= [.. (await store.ListAppNotificationIdsAsync(_user)).Select(HashOf)];
        return _appNotificationIds.Contains(HashOf(appNotificationId));
    }

    private static int HashOf(string appNotificationId) => StringComparer.Ordinal.GetHashCode(appNotificationId);

    public async Task<UpdateResult> UpdateAsync(string notificationId, NotificationPatch patch, long[]? ifMatch)
    {
        await ExpireDueAsync();
        var now = Now();
        var existing = await store.GetAsync(_user, notificationId, now);
        if (existing is null)
        {
            return new UpdateResult(UpdateOutcome.NotFound, null);
        }

        var current = existing.Resource;
        if (ifMatch is not null && !ifMatch.Contains(current.Sequence))
        {
            return new UpdateResult(UpdateOutcome.PreconditionFailed, existing);
        }

        var readState = patch.ReadState ?? current.ReadState;
        var userActionState = patch.UserActionState ?? current.UserActionState;
        if (readState == current.ReadState && userActionState == current.UserActionState)
        {
            return new UpdateResult(UpdateOutcome.Unchanged, existing);
        }

        var changes = new UserChangeSet(_user, _sequence);
        var stored = RecordStateChange(changes, existing, readState, userActionState, now);
        await AddStateSyncAsync(changes, current, stored.Resource, now);
        await CommitAsync(changes);
        return new UpdateResult(UpdateOutcome.Updated, stored);
    }

    public async Task<int> MarkAllReadAsync(string? groupName)
    {
        await ExpireDueAsync();
        var now = Now();
        var unread = await store.ListUnreadAsync(_user, groupName, now);
        var changes = new UserChangeSet(_user, _sequence);
        foreach (var existing in unread)
        {
            var stored = RecordStateChange(changes, existing, ReadState.Read, existing.Resource.UserActionState, now);
            await AddStateSyncAsync(changes, existing.Resource, stored.Resource, now);
        }

        await CommitAsync(changes);
        return unread.Count;
    }

    private static StoredNotification RecordStateChange(
        UserChangeSet changes, StoredNotification existing, ReadState readState, UserActionState userActionState, DateTimeOffset now)
    {
        var updated = existing.Resource with
        {
            ReadState = readState,
            UserActionState = userActionState,
            LastModifiedDateTime = now,
            Sequence = changes.NextSequence(),
        };
        var stored = new StoredNotification(updated, existing.ContentHash, existing.PublishedSequence);
        changes.Record(ChangeKind.Updated, updated, now, stored);
        return stored;
    }

    public Task SubscriptionsChangedAsync()
    {
        _subscriptions = null;
        return Task.CompletedTask;
    }

    private async Task<IEnumerable<Subscription>> ActiveSubscriptionsAsync(DateTimeOffset now)
    {
        _subscriptions ??= await subscriptionStore.ListAsync(_user, now);
        return _subscriptions.Where(s => s.Status == SubscriptionStatus.Active && s.ExpirationDateTime > now);
    }

    /// <summary>
    /// "Handled once, dismissed everywhere": when a notification is read, dismissed, activated or deleted, the user's android
    /// and ios devices get a silent message so they clear it. (Web Push has no silent messages; browsers learn on their next
    /// visit or over the hub.)
    /// </summary>
    private async Task AddStateSyncAsync(UserChangeSet changes, Notification before, Notification? after, DateTimeOffset now)
    {
        var handled = after is null
            || (after.ReadState == ReadState.Read && before.ReadState != ReadState.Read)
            || (after.UserActionState is UserActionState.Dismissed or UserActionState.Activated && after.UserActionState != before.UserActionState);
        if (!handled)
        {
            return;
        }

        var sequence = changes.Changes[^1].Sequence;
        // Only devices the notification was meant for: one that was never sent it has nothing to clear.
        foreach (var subscription in (await ActiveSubscriptionsAsync(now))
                     .Where(s => s.Platform is PlatformType.Android or PlatformType.Ios && Selects(before.TargetPolicy, s.Platform)))
        {
            changes.Deliveries.Add(NewDelivery(subscription, PushMessageKind.StateSync, before.Id, sequence,
                after is null ? ChangeKind.Deleted : ChangeKind.Updated, before.ExpirationDateTime, DeliveryStatus.Pending, now));
        }
    }

    /// <summary>No platform list selects every platform; an empty one selects none (history and live connections only).</summary>
    private static bool Selects(TargetPolicy? policy, PlatformType platform) =>
        policy?.PlatformTypes is not { } platforms || platforms.Contains(platform);

    private static Delivery NewDelivery(Subscription subscription, PushMessageKind kind, string notificationId, long sequence,
        ChangeKind change, DateTimeOffset expiresAt, DeliveryStatus status, DateTimeOffset now) =>
        new(subscription.Id, notificationId, kind, subscription.User, subscription.Platform, sequence, change, status, 0,
            status == DeliveryStatus.Pending ? now : null, null, null, expiresAt);

    public Task<long> ConnectAsync(LiveConnection connection)
    {
        if (!_connections.TryGetValue(connection.ConnectionId, out var known))
        {
            known = (connection, _sequence);
            _connections[connection.ConnectionId] = known;
        }

        KeepActive = true;
        return Task.FromResult(known.RegisteredAt);
    }

    public Task DisconnectAsync(string connectionId)
    {
        _connections.Remove(connectionId);
        KeepActive = _connections.Count > 0;
        return Task.CompletedTask;
    }

    public Task<UserGrainStatus> DescribeAsync() =>
        Task.FromResult(new UserGrainStatus(relay.LocalNode, _sequence, [.. _connections.Values.Select(entry => entry.Connection)]));

    public async Task<ChangeFeedPage> SyncAsync(LiveConnection connection, long since, int top)
    {
        await ExpireDueAsync();
        await ConnectAsync(connection); // registers a connection this activation has not seen yet (it moved or was reactivated)
        return await store.ReadChangesAsync(_user, since, top);
    }

    public async Task<bool> DeleteAsync(string notificationId)
    {
        await ExpireDueAsync();
        var now = Now();
        if (await store.GetAsync(_user, notificationId, now) is not { } existing)
        {
            return false;
        }

        var changes = new UserChangeSet(_user, _sequence);
        changes.RecordRemoval(ChangeKind.Deleted, notificationId, now);
        await AddStateSyncAsync(changes, existing.Resource, null, now);
        await CommitAsync(changes);
        return true;
    }

    public async Task<int> DeleteGroupAsync(string groupName)
    {
        await ExpireDueAsync();
        var now = Now();
        var members = await store.ListGroupAsync(_user, groupName, now);
        if (members.Count == 0)
        {
            return 0;
        }

        var changes = new UserChangeSet(_user, _sequence);
        foreach (var member in members)
        {
            changes.RecordRemoval(ChangeKind.Deleted, member.Resource.Id, now);
            await AddStateSyncAsync(changes, member.Resource, null, now);
        }

        await CommitAsync(changes);
        return members.Count;
    }

    public async Task ReceiveReminder(string reminderName)
    {
        if (reminderName == ExpiryReminderName)
        {
            _expiryReminderUnknown = true;
            await ExpireDueAsync(force: true);
        }
    }

    /// <summary>Removes every notification whose expiration has passed, each with an <c>expired</c> change.</summary>
    private async Task ExpireDueAsync(bool force = false)
    {
        var now = Now();
        if (!force && (_earliestExpiry is null || _earliestExpiry > now))
        {
            return;
        }

        while (true)
        {
            var expired = await store.ListExpiredAsync(_user, now, ExpiryBatch);
            var changes = new UserChangeSet(_user, _sequence);
            foreach (var id in expired)
            {
                changes.RecordRemoval(ChangeKind.Expired, id, now);
            }

            _earliestExpiry = expired.Count == ExpiryBatch ? now : await store.EarliestExpiryAfterAsync(_user, now);
            await CommitAsync(changes);
            if (expired.Count < ExpiryBatch)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Commits the change set together with any move of the expiry reminder. On any failure the activation is dropped, so
    /// the next call re-reads the stored truth instead of trusting a sequence that may or may not have been written.
    /// </summary>
    private async Task CommitAsync(UserChangeSet changes)
    {
        if (_expiryReminderUnknown || _earliestExpiry != _expiryReminder)
        {
            changes.MoveReminder(_earliestExpiry);
        }

        if (changes.IsEmpty)
        {
            return;
        }

        try
        {
            await store.CommitAsync(changes);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _sequence = changes.NewSequence;
        metrics.Committed(changes.Changes);
        _expiryReminder = _earliestExpiry;
        _expiryReminderUnknown = false;
        RelayToConnections(changes.Changes);
        foreach (var subscriptionId in changes.Deliveries.Where(d => d.Status == DeliveryStatus.Pending).Select(d => d.SubscriptionId).Distinct())
        {
            // Not awaited: the publish is acknowledged now; the endpoint delivers on its own (and its reminder covers a crash).
            _ = grains.GetGrain<IEndpointGrain>(EndpointGrain.KeyOf(_user, subscriptionId)).DeliverAsync()
                .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>Hands committed changes to the relay, inside this turn, so every connection gets them in sequence order.</summary>
    private void RelayToConnections(List<ChangeRecord> changes)
    {
        if (_connections.Count == 0 || changes.Count == 0)
        {
            return;
        }

        var gone = relay.Send(_user, _connections.Values.Select(entry => entry.Connection).ToList(), changes);
        foreach (var connection in gone)
        {
            _connections.Remove(connection.ConnectionId);
        }

        KeepActive = _connections.Count > 0;
    }

    /// <summary>Millisecond precision: what is stored and served, so a read-back compares equal.</summary>
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
