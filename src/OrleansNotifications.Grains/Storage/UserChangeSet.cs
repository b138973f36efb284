using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Grains.Storage;

/// <summary>
/// Everything one UserGrain turn changes, written atomically and only if the user's stored sequence still equals
/// <see cref="ExpectedSequence"/> (compare-and-swap: a stale activation cannot overwrite newer state).
/// </summary>
public sealed class UserChangeSet(UserKey user, long expectedSequence)
{
    public UserKey User { get; } = user;

    public long ExpectedSequence { get; } = expectedSequence;

    public long NewSequence { get; private set; } = expectedSequence;

    public List<StoredNotification> Upserts { get; } = [];

    public List<string> Deletes { get; } = [];

    public List<ChangeRecord> Changes { get; } = [];

    /// <summary>Push deliveries the changes create; each pending one also wakes its endpoint with a durable reminder.</summary>
    public List<Delivery> Deliveries { get; } = [];

    /// <summary>Whether the user's expiry reminder moves; <see cref="ExpiryReminder"/> null then means "delete it".</summary>
    public bool ReminderChanged { get; private set; }

    public DateTimeOffset? ExpiryReminder { get; private set; }

    public bool IsEmpty => Changes.Count == 0 && !ReminderChanged;

    /// <summary>Takes the next sequence number for a change in this set.</summary>
    public long NextSequence() => ++NewSequence;

    public void Record(ChangeKind kind, Notification notification, DateTimeOffset occurred, StoredNotification? stored)
    {
        Changes.Add(new ChangeRecord(notification.Sequence, kind, notification.Id, occurred, stored?.Json));
        if (stored is not null)
        {
            Upserts.Add(stored);
        }
    }

    public void RecordRemoval(ChangeKind kind, string notificationId, DateTimeOffset occurred)
    {
        Changes.Add(new ChangeRecord(NextSequence(), kind, notificationId, occurred, null));
        Deletes.Add(notificationId);
    }

    public void MoveReminder(DateTimeOffset? dueAt)
    {
        ReminderChanged = true;
        ExpiryReminder = dueAt;
    }
}
