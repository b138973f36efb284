namespace OrleansNotifications.Runtime.Reminders;

/// <summary>A durable wake-up for a grain: at <see cref="DueAt"/> the runtime calls <see cref="IRemindable.ReceiveReminder"/>.</summary>
public sealed record ReminderEntry(GrainId Grain, string Name, DateTimeOffset DueAt);
