using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Grains;

/// <summary>
/// The single owner of one user's notifications (key: <see cref="UserKey.GrainKey"/>). Every change of the user passes
/// through it, gets the next sequence, is committed, and only then acknowledged.
/// </summary>
public interface IUserGrain : IGrainWithStringKey
{
    Task<PublishResult> PublishAsync(NotificationDraft draft);

    /// <summary>Applies a state change; <paramref name="ifMatchSequence"/> (from If-Match) must equal the current sequence when given.</summary>
    Task<UpdateResult> UpdateAsync(string notificationId, NotificationPatch patch, long? ifMatchSequence);

    Task<bool> DeleteAsync(string notificationId);

    /// <summary>Deletes every notification of the group; returns how many.</summary>
    Task<int> DeleteGroupAsync(string groupName);

    /// <summary>The user's push subscriptions were saved, deleted or invalidated: read them again before the next delivery.</summary>
    Task SubscriptionsChangedAsync();

    /// <summary>Marks every unread notification (of the group, when given) read, one change each; returns how many.</summary>
    Task<int> MarkAllReadAsync(string? groupName);

    /// <summary>
    /// Registers a live connection: from now on every change of the user is relayed to it. Returns the sequence it
    /// registered at; changes up to there are the connection's to fetch with <see cref="SyncAsync"/>.
    /// </summary>
    Task<long> ConnectAsync(LiveConnection connection);

    Task DisconnectAsync(string connectionId);

    /// <summary>Where the grain runs, its sequence and the live connections it knows (operators' user lookup, tests).</summary>
    Task<UserGrainStatus> DescribeAsync();

    /// <summary>
    /// The changes after <paramref name="since"/> that the connection was not sent live (those up to its registration), so
    /// catching up and the live stream together hold every change once.
    /// </summary>
    Task<ChangeFeedPage> SyncAsync(LiveConnection connection, long since, int top);
}
