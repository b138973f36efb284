using OrleansNotifications.Runtime.Activation;
using OrleansNotifications.Runtime.Reminders;

namespace OrleansNotifications.Runtime;

/// <summary>
/// Base class of grain implementations, shaped like Orleans' <c>Grain</c>: the runtime creates it, calls
/// <see cref="OnActivateAsync"/> before the first message and <see cref="OnDeactivateAsync"/> when it is collected,
/// and delivers one message at a time.
/// </summary>
public abstract class Grain
{
    private GrainActivation? _activation;

    internal void Attach(GrainActivation activation) => _activation = activation;

    private GrainActivation Activation =>
        _activation ?? throw new InvalidOperationException("The grain is not attached to an activation yet.");

    public GrainId GrainId => Activation.Id;

    protected string GrainKey => Activation.Id.Key;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// While true, idle collection passes this activation by (Orleans: <c>DelayDeactivation</c>): for grains that hold
    /// something only memory knows, such as the live connections of a user. A crash still loses it, so keep it rebuildable.
    /// </summary>
    protected internal bool KeepActive { get; protected set; }

    /// <summary>Asks the runtime to deactivate this grain once the current message is done.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();

    /// <summary>
    /// A timer whose ticks run as messages of this activation (never concurrently with a call). It lives only as long as
    /// the activation and does not keep it alive; use a reminder for anything that must survive a restart.
    /// </summary>
    protected IDisposable RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>
    /// A durable wake-up: at <paramref name="dueAt"/> (or soon after) the runtime calls
    /// <see cref="IRemindable.ReceiveReminder"/> on this grain, activating it if needed, even after a restart. Registering the
    /// same name again moves it. Unlike Orleans' periodic reminders these fire once; the grain re-registers if it wants more.
    /// </summary>
    protected Task RegisterOrUpdateReminderAsync(string name, DateTimeOffset dueAt) =>
        Activation.Reminders.UpsertAsync(new ReminderEntry(GrainId, name, dueAt));

    protected Task UnregisterReminderAsync(string name) =>
        Activation.Reminders.DeleteAsync(GrainId, name, ifDueAt: null);
}
