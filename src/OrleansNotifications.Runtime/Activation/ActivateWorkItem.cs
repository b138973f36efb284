namespace OrleansNotifications.Runtime.Activation;

/// <summary>Always the first item of a mailbox: waits for a previous activation of the same grain to finish deactivating, then activates.</summary>
internal sealed class ActivateWorkItem(Task previousDeactivation) : WorkItem
{
    public override async Task ExecuteAsync(Grain grain)
    {
        await previousDeactivation;
        await grain.OnActivateAsync(CancellationToken.None);
    }

    public override void Abandon(GrainActivation from, Exception? reason)
    {
    }
}
