namespace OrleansNotifications.Runtime.Activation;

/// <summary>A timer whose ticks are messages of its activation; a tick is skipped while the previous one is still queued or running.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<Task> _callback;
    private readonly ITimer _timer;
    private int _tickInFlight;

    public GrainTimer(GrainActivation activation, Func<Task> callback, TimeSpan dueTime, TimeSpan period, TimeProvider time)
    {
        _activation = activation;
        _callback = callback;
        _timer = time.CreateTimer(static state => ((GrainTimer)state!).Tick(), this, dueTime, period);
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _tickInFlight, 1) == 1)
        {
            return;
        }

        if (!_activation.TryEnqueue(new TimerWorkItem(_callback, () => Volatile.Write(ref _tickInFlight, 0))))
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }
}
