using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Grains.Storage;

/// <summary>
/// What a UserGrain knows about its user when it activates: its sequence, and its expiry reminder, which every commit keeps
/// at the earliest expiration of the user's notifications.
/// </summary>
public sealed record UserHead(long Sequence, DateTimeOffset? ExpiryReminder);

/// <summary>A history query; <see cref="Before"/> is the paging position (a published sequence) from a skipToken.</summary>
public sealed record NotificationQuery(int Top, ReadState? ReadState, UserActionState? UserActionState, string? GroupName, long? Before);

/// <summary>One page of history, newest first, as stored JSON; <see cref="NextBefore"/> is set when more follow.</summary>
public sealed record StateCount(ReadState ReadState, UserActionState UserActionState, int Count);

public sealed record NotificationPage(IReadOnlyList<byte[]> Items, long? NextBefore);

/// <summary>
/// Changes after a cursor. <see cref="CursorExpired"/>: changes after the cursor were already pruned (410); the client re-reads
/// history and continues from <see cref="CurrentSequence"/>.
/// </summary>
public sealed record ChangeFeedPage(IReadOnlyList<ChangeRecord> Changes, bool HasMore, bool CursorExpired, long CurrentSequence = 0);

/// <summary>
/// Notification rows, change feed and user sequence. Writes come only from the user's grain (<see cref="CommitAsync"/>);
/// reads may come from anywhere, because nothing is acknowledged before it is committed.
/// </summary>
public interface INotificationStore
{
    Task<UserHead> ReadUserAsync(UserKey user);

    /// <summary>The appNotificationIds of the user's stored notifications, expired or not.</summary>
    Task<IReadOnlyList<string>> ListAppNotificationIdsAsync(UserKey user);

    /// <summary>The notification with this appNotificationId, expired or not (the grain expires due ones first).</summary>
    Task<StoredNotification?> FindByAppNotificationIdAsync(UserKey user, string appNotificationId);

    /// <summary>An unexpired notification by id.</summary>
    Task<StoredNotification?> GetAsync(UserKey user, string id, DateTimeOffset now);

    Task<IReadOnlyList<StoredNotification>> ListGroupAsync(UserKey user, string groupName, DateTimeOffset now);

    /// <summary>Unexpired unread notifications (of the group, when given), oldest publish first.</summary>
    Task<IReadOnlyList<StoredNotification>> ListUnreadAsync(UserKey user, string? groupName, DateTimeOffset now);

    /// <summary>Ids of notifications whose expiration has passed, oldest expiry first.</summary>
    Task<IReadOnlyList<string>> ListExpiredAsync(UserKey user, DateTimeOffset now, int max);

    /// <summary>The earliest expiration strictly after <paramref name="after"/>, if any.</summary>
    Task<DateTimeOffset?> EarliestExpiryAfterAsync(UserKey user, DateTimeOffset after);

    /// <summary>
    /// Applies the change set atomically (batched with other users' writes). Throws <see cref="Runtime.InconsistentStateException"/>
    /// if the stored sequence moved, <see cref="Runtime.StorageUnavailableException"/> if nothing could be written.
    /// </summary>
    Task CommitAsync(UserChangeSet changes);

    Task<NotificationPage> ListAsync(UserKey user, NotificationQuery query, DateTimeOffset now);

    /// <summary>How many unexpired notifications the user has in each combination of read and user-action state.</summary>
    Task<IReadOnlyList<StateCount>> CountByStateAsync(UserKey user, DateTimeOffset now);

    Task<ChangeFeedPage> ReadChangesAsync(UserKey user, long since, int top);

    /// <summary>
    /// Prunes up to <paramref name="max"/> change-feed entries older than <paramref name="olderThan"/> and returns how many.
    /// SQLite moves (rather than deletes) a change that published a notification still stored, below the user's pruned
    /// sequence; moved entries count toward the total.
    /// </summary>
    Task<int> PruneChangesAsync(DateTimeOffset olderThan, int max);
}
