using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime.Hosting;
using OrleansNotifications.Runtime.Reminders;

namespace OrleansNotifications.Runtime.Activation;

/// <summary>The activations living on this node, keyed by grain id; creates them on demand and collects idle ones.</summary>
internal sealed class GrainCatalog(
    GrainTypeRegistry registry,
    IServiceProvider services,
    IReminderTable reminders,
    TimeProvider time,
    IOptions<GrainRuntimeOptions> options,
    ILogger<GrainCatalog> logger) : IActivationDirectory
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ConcurrentDictionary<GrainId, Task> _deactivations = new();

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    public IReminderTable Reminders => reminders;

    public bool IsActive(GrainId id) => _activations.ContainsKey(id);

    /// <summary>Deactivates every activation <paramref name="isLocal"/> no longer places here (after the membership changed).</summary>
    public int DeactivateWhere(Func<GrainId, bool> moved)
    {
        var count = 0;
        foreach (var id in _activations.Keys.Where(moved))
        {
            RequestDeactivation(id);
            count++;
        }

        return count;
    }

    public IReadOnlyDictionary<string, int> CountByType() =>
        _activations.Keys.GroupBy(id => id.Type).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Puts <paramref name="item"/> in the mailbox of the grain's activation, creating one if there is none.</summary>
    public void Dispatch(GrainId id, WorkItem item)
    {
        while (!GetOrCreate(id).TryEnqueue(item))
        {
            // Lost a race with deactivation: the next lookup finds (or creates) the successor.
        }
    }

    private GrainActivation GetOrCreate(GrainId id)
    {
        if (_activations.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var created = new GrainActivation(id, this, () => registry.CreateGrain(id.Type, services));
        return _activations.GetOrAdd(id, created);
    }

    /// <summary>The deactivation of a previous activation of <paramref name="id"/> still running, if any.</summary>
    public Task PendingDeactivation(GrainId id) =>
        _deactivations.TryGetValue(id, out var deactivation) ? deactivation : Task.CompletedTask;

    public void RequestDeactivation(GrainId id)
    {
        if (_activations.TryGetValue(id, out var activation))
        {
            activation.RequestDeactivation();
        }
    }

    /// <summary>Removes an activation that is deactivating; a successor waits for <paramref name="deactivation"/> before activating.</summary>
    public void Forget(GrainActivation activation, Task deactivation)
    {
        if (!deactivation.IsCompleted)
        {
            _deactivations[activation.Id] = deactivation;
        }

        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
    }

    public void DeactivationFinished(GrainId id, Task deactivation) =>
        _deactivations.TryRemove(new KeyValuePair<GrainId, Task>(id, deactivation));

    /// <summary>Deactivates every activation that has had no call for the configured idle timeout.</summary>
    public int CollectIdle()
    {
        var idleSince = time.GetUtcNow() - options.Value.IdleTimeout;
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.TryCollectIfIdle(idleSince))
            {
                collected++;
            }
        }

        return collected;
    }

    /// <summary>On shutdown: lets every activation finish its current work and run <c>OnDeactivateAsync</c>.</summary>
    public async Task DeactivateAllAsync()
    {
        foreach (var activation in _activations.Values)
        {
            activation.RequestDeactivation();
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while ((!_activations.IsEmpty || !_deactivations.IsEmpty) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(20);
        }
    }
}
