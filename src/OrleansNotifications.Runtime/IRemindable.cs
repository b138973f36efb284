namespace OrleansNotifications.Runtime;

/// <summary>A grain that receives durable reminders registered through <see cref="Grain.RegisterOrUpdateReminderAsync"/>.</summary>
public interface IRemindable : IGrain
{
    Task ReceiveReminder(string reminderName);
}
