namespace OrleansNotifications.Runtime.Hosting;

/// <summary>Grain runtime settings (configuration section <c>Notifications:Runtime</c>).</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>An activation with no call for this long is deactivated. Default 2 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle activations are looked for. Default: a quarter of <see cref="IdleTimeout"/>, at most 30 s.</summary>
    public TimeSpan? CollectionInterval { get; set; }

    /// <summary>How often the reminder table is polled for due reminders. Default 1 second.</summary>
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal TimeSpan EffectiveCollectionInterval =>
        CollectionInterval ?? TimeSpan.FromTicks(Math.Clamp(IdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond * 30));
}
