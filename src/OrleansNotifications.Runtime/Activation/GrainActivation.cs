using Microsoft.Extensions.Logging;
using OrleansNotifications.Runtime.Reminders;

namespace OrleansNotifications.Runtime.Activation;

/// <summary>
/// One live instance of a grain and its mailbox. Messages run one at a time, each to completion (including its awaits),
/// so grain code needs no locks. No thread is parked while the mailbox is empty: a pump is started by the first enqueue.
/// </summary>
internal sealed partial class GrainActivation
{
    private enum Phase { Activating, Valid, Deactivating, Deactivated }

    private readonly object _gate = new();
    private readonly Queue<WorkItem> _mailbox = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly GrainCatalog _catalog;
    private readonly Func<Grain> _createGrain;
    private Grain? _grain;
    private Phase _phase = Phase.Activating;
    private bool _pumping;
    private bool _deactivationRequested;
    private DateTimeOffset _lastActive;

    public GrainActivation(GrainId id, GrainCatalog catalog, Func<Grain> createGrain)
    {
        Id = id;
        _catalog = catalog;
        _createGrain = createGrain;
        _lastActive = catalog.Time.GetUtcNow();
        _mailbox.Enqueue(new ActivateWorkItem(() => catalog.PendingDeactivation(id)));
    }

    public GrainId Id { get; }

    public IReminderTable Reminders => _catalog.Reminders;

    public bool TryEnqueue(WorkItem item)
    {
        lock (_gate)
        {
            if (_phase >= Phase.Deactivating)
            {
                return false;
            }

            _mailbox.Enqueue(item);
            if (_pumping)
            {
                return true;
            }

            _pumping = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static self => _ = self.PumpAsync(), this, preferLocal: false);
        return true;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            WorkItem? item;
            lock (_gate)
            {
                if (_deactivationRequested && _phase == Phase.Valid)
                {
                    _phase = Phase.Deactivating;
                }

                if (_phase == Phase.Deactivating)
                {
                    break;
                }

                if (!_mailbox.TryDequeue(out item))
                {
                    _pumping = false;
                    return;
                }
            }

            if (item is ActivateWorkItem)
            {
                if (!await TryActivateAsync(item))
                {
                    return;
                }

                continue;
            }

            if (item.IsActivity)
            {
                // Stamped on receipt, before the caller can observe the result: idle means "no call received for the
                // timeout" (a running call is never collected: the pump is busy).
                _lastActive = _catalog.Time.GetUtcNow();
            }

            try
            {
                await item.ExecuteAsync(_grain!);
            }
            catch (Exception exception)
            {
                // Call items complete their caller's task themselves; anything reaching here is a runtime bug or a timer fault.
                LogMessageFailed(_catalog.Logger, Id, exception);
            }
        }

        await DeactivateAsync();
    }

    private async Task<bool> TryActivateAsync(WorkItem activate)
    {
        try
        {
            _grain = _createGrain();
            _grain.Attach(this);
            await activate.ExecuteAsync(_grain);
            lock (_gate)
            {
                _phase = Phase.Valid;
            }

            return true;
        }
        catch (Exception exception)
        {
            LogActivationFailed(_catalog.Logger, Id, exception);
            List<WorkItem> orphans;
            lock (_gate)
            {
                _phase = Phase.Deactivated;
                orphans = [.. _mailbox];
                _mailbox.Clear();
            }

            _catalog.Forget(this, Task.CompletedTask);
            foreach (var orphan in orphans)
            {
                orphan.Abandon(this, exception);
            }

            return false;
        }
    }

    public void RequestDeactivation()
    {
        lock (_gate)
        {
            _deactivationRequested = true;
            if (_pumping || _phase != Phase.Valid)
            {
                return; // the pump sees the flag after the current message
            }

            _pumping = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static self => _ = self.PumpAsync(), this, preferLocal: false);
    }

    /// <summary>Starts deactivation if nothing ran since <paramref name="idleSince"/> and nothing is queued.</summary>
    public bool TryCollectIfIdle(DateTimeOffset idleSince)
    {
        lock (_gate)
        {
            if (_phase != Phase.Valid || _pumping || _mailbox.Count > 0 || _lastActive > idleSince || _grain?.KeepActive == true)
            {
                return false;
            }

            _phase = Phase.Deactivating;
            _pumping = true;
        }

        _ = DeactivateAsync();
        return true;
    }

    private async Task DeactivateAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _catalog.Forget(this, done.Task);

        List<WorkItem> leftovers;
        List<GrainTimer> timers;
        lock (_gate)
        {
            leftovers = [.. _mailbox];
            _mailbox.Clear();
            timers = [.. _timers];
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }

        try
        {
            await _grain!.OnDeactivateAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogDeactivationFailed(_catalog.Logger, Id, exception);
        }
        finally
        {
            lock (_gate)
            {
                _phase = Phase.Deactivated;
            }

            done.SetResult();
            _catalog.DeactivationFinished(Id, done.Task);
        }

        // Messages that arrived after the deactivation decision go to the next activation, in their original order.
        foreach (var item in leftovers)
        {
            item.Abandon(this, reason: null);
        }
    }

    public IDisposable RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period, _catalog.Time);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    public void RemoveTimer(GrainTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Activation of grain {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivation of grain {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message of grain {GrainId} failed outside any call")]
    private static partial void LogMessageFailed(ILogger logger, GrainId grainId, Exception exception);
}
