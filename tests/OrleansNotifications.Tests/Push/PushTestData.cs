using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Tests.Push;

/// <summary>Subscriptions, notifications and push messages for the provider tests, at a fixed "now".</summary>
internal static class PushTestData
{
    public static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static Subscription Subscription(PlatformType platform, string pushToken) =>
        new("sub-1", new UserKey("app-1", "user-1"), platform, "device-1", pushToken, null, Now, Now.AddDays(90), SubscriptionStatus.Active);

    public static Notification Notification(Priority priority = Priority.High, VisualContent? visual = null, string? rawContent = "{\"order\":42}", string? appNotificationId = "order-42") => new()
    {
        Id = "n-1",
        AppNotificationId = appNotificationId,
        Priority = priority,
        ExpirationDateTime = Now.AddMinutes(90),
        Payload = new Payload(rawContent, visual),
        CreatedDateTime = Now,
        LastModifiedDateTime = Now,
        ReadState = ReadState.Unread,
        UserActionState = UserActionState.NoInteraction,
        Sequence = 7,
    };

    /// <summary>The largest body the API accepts (4096 UTF-8 bytes at most), in three-byte characters: 1,365 of them.</summary>
    public static readonly string LargestBody = new('語', 1365);

    /// <summary>The largest notification the API accepts: a 256-character title, <see cref="LargestBody"/>, a 4096-byte rawContent.</summary>
    public static Notification Largest() =>
        Notification(Priority.High, new VisualContent(new string('T', 256), LargestBody), rawContent: new string('x', 4096));

    public static PushMessage Show(Notification notification, ChangeKind change = ChangeKind.Created) =>
        new(PushMessageKind.Notification, change, notification.Id, notification.Sequence, notification, notification.AppNotificationId, notification.Priority, notification.ExpirationDateTime);

    public static PushMessage Sync(Notification? notification, ChangeKind change, long sequence) =>
        new(PushMessageKind.StateSync, change, "n-1", sequence, notification, null, Priority.Normal, Now.AddMinutes(90));
}
