namespace OrleansNotifications.Grains.Model;

/// <summary>A state change from a device or the app: either field may be absent (unchanged).</summary>
public sealed record NotificationPatch(ReadState? ReadState, UserActionState? UserActionState);
