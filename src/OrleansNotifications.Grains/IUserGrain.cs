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

    /// <summary>
    /// Applies a state change. <paramref name="ifMatch"/> lists the sequences an If-Match header named: when given, the current
    /// sequence must be one of them (an empty list matches nothing); null for no condition.
    /// </summary>
    Task<UpdateResult> UpdateAsync(string notificationId, NotificationPatch patch, long[]? ifMatch);

    Task<bool> DeleteAsync(string notificationId);

    /// <summary>Deletes every notification of the group; returns how many.</summary>
    Task<int> DeleteGroupAsync(string groupName);

    /// <summary>The user's push subscriptions were saved, deleted or invalidated: read them again before the next delivery.</summary>
    Task SubscriptionsChangedAsync();

    /// <summary>Marks every unread notification (of the group, when given) read, one change each; returns how many.</summary>
    Task<int> MarkAllReadAsync(string? groupName);

    /// <summary>
    /// Registers a live connection: from now on every change of the user is relayed to it. Returns the sequence it
    /// registered at: the connection's live changes follow it without a gap; earlier ones it fetches with <see cref="SyncAsync"/>.
    /// </summary>
    Task<long> ConnectAsync(LiveConnection connection);

    Task DisconnectAsync(string connectionId);

    /// <summary>Where the grain runs, its sequence and the live connections it knows (operators' user lookup, tests).</summary>
    Task<UserGrainStatus> DescribeAsync();

    /// <summary>
    /// The change feed after <paramref name="since"/>, as <c>GET /changes</c> reads it, for a connection that is registered
    /// first if this activation does not know it. Changes relayed to it live while it catches up may be in the page too: the
    /// client applies a change only if its sequence is newer than what it holds.
    /// </summary>
    Task<ChangeFeedPage> SyncAsync(LiveConnection connection, long since, int top);
}
