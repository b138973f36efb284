using OrleansNotifications.Grains.Model;
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
}
