using System.Security.Cryptography;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Grains;

/// <summary>
/// The notification state machine of one user. It keeps only its sequence and expiry bookkeeping in memory; rows live in
/// the store, which every change reaches before it is acknowledged.
/// </summary>
public sealed class UserGrain(INotificationStore store, TimeProvider time) : Grain, IUserGrain, IRemindable
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _user = UserKey.FromGrainKey(GrainKey);
        var head = await store.ReadUserAsync(_user);
        _sequence = head.Sequence;
        _earliestExpiry = head.ExpiryReminder;
        _expiryReminder = head.ExpiryReminder;
    }

    public async Task<PublishResult> PublishAsync(NotificationDraft draft)
    {
        await ExpireDueAsync();
        var now = Now();
        var existing = draft.AppNotificationId is { } appNotificationId
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
        var notification = new Notification
        {
            Id = existing?.Resource.Id ?? Guid.CreateVersion7().ToString("N"),
            AppNotificationId = draft.AppNotificationId,
            TargetHostName = draft.TargetHostName,
            GroupName = draft.GroupName,
            TargetPolicy = draft.TargetPolicy,
            Priority = draft.Priority,
            DisplayTimeToLive = draft.DisplayTimeToLive,
            ExpirationDateTime = draft.ExpirationDateTime,
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
        if (_earliestExpiry is null || draft.ExpirationDateTime < _earliestExpiry)
        {
            _earliestExpiry = draft.ExpirationDateTime;
        }

        await CommitAsync(changes);
        return new PublishResult(existing is null ? PublishOutcome.Created : PublishOutcome.Replaced, stored);
    }

    public async Task<UpdateResult> UpdateAsync(string notificationId, NotificationPatch patch, long? ifMatchSequence)
    {
        await ExpireDueAsync();
        var now = Now();
        var existing = await store.GetAsync(_user, notificationId, now);
        if (existing is null)
        {
            return new UpdateResult(UpdateOutcome.NotFound, null);
        }

        var current = existing.Resource;
        if (ifMatchSequence is not null && ifMatchSequence != current.Sequence)
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
        var updated = current with
        {
            ReadState = readState,
            UserActionState = userActionState,
            LastModifiedDateTime = now,
            Sequence = changes.NextSequence(),
        };
        var stored = new StoredNotification(updated, existing.ContentHash, existing.PublishedSequence);
        changes.Record(ChangeKind.Updated, updated, now, stored);
        await CommitAsync(changes);
        return new UpdateResult(UpdateOutcome.Updated, stored);
    }

    public async Task<bool> DeleteAsync(string notificationId)
    {
        await ExpireDueAsync();
        var now = Now();
        if (await store.GetAsync(_user, notificationId, now) is null)
        {
            return false;
        }

        var changes = new UserChangeSet(_user, _sequence);
        changes.RecordRemoval(ChangeKind.Deleted, notificationId, now);
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
        _expiryReminder = _earliestExpiry;
        _expiryReminderUnknown = false;
    }

    /// <summary>Millisecond precision: what is stored and served, so a read-back compares equal.</summary>
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
