namespace OrleansNotifications.Runtime.Reminders;

/// <summary>Durable reminder rows, implemented by each storage provider.</summary>
public interface IReminderTable
{
    Task UpsertAsync(ReminderEntry reminder);

    /// <summary>Deletes the reminder; with <paramref name="ifDueAt"/>, only if it was not moved since it was read.</summary>
    Task DeleteAsync(GrainId grain, string name, DateTimeOffset? ifDueAt);

    Task<IReadOnlyList<ReminderEntry>> GetDueAsync(DateTimeOffset now, int max);
}
