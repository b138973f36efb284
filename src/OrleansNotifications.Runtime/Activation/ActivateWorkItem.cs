namespace OrleansNotifications.Runtime.Activation;

/// <summary>
/// Always the first item of a mailbox: waits for a previous activation of the same grain to finish deactivating, then
/// activates. The predecessor is looked up when this runs, not when the mailbox was made: a predecessor always registers its
/// deactivation before it leaves the catalog, so no successor can miss it.
/// </summary>
internal sealed class ActivateWorkItem(Func<Task> previousDeactivation) : WorkItem
{
    public override async Task ExecuteAsync(Grain grain)
    {
        await previousDeactivation();
        await grain.OnActivateAsync(CancellationToken.None);
    }

    public override void Abandon(GrainActivation from, Exception? reason)
    {
    }
}
