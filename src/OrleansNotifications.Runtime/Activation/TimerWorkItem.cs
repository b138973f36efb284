namespace OrleansNotifications.Runtime.Activation;

internal sealed class TimerWorkItem(Func<Task> callback, Action completed) : WorkItem
{
    public override bool IsActivity => false;

    public override async Task ExecuteAsync(Grain grain)
    {
        try
        {
            await callback();
        }
        finally
        {
            completed();
        }
    }

    public override void Abandon(GrainActivation from, Exception? reason) => completed();
}
