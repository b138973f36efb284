namespace OrleansNotifications.Runtime.Activation;

/// <summary>One message in an activation's mailbox.</summary>
internal abstract class WorkItem
{
    /// <summary>Whether running this item counts as use of the grain (timer ticks do not keep a grain alive).</summary>
    public virtual bool IsActivity => true;

    public abstract Task ExecuteAsync(Grain grain);

    /// <summary>The item will never run on this activation (it failed to activate or is being deactivated).</summary>
    public abstract void Abandon(GrainActivation from, Exception? reason);
}
