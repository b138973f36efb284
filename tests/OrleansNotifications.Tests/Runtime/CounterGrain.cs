using System.Text.Json.Serialization;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Tests.Runtime;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();

    /// <summary>Stays inside the grain for a while; returns the most calls ever seen inside this activation at once.</summary>
    Task<int> OverlapProbeAsync(int delayMs);

    Task<Guid> ActivationIdAsync();

    Task DeactivateAsync();

    Task StartTimerAsync(int periodMs);

    Task<int> TimerTicksAsync();

    Task RemindMeAtAsync(DateTimeOffset dueAt);

    Task<int> RemindersReceivedAsync();
}

public sealed class CounterState
{
    public int Count { get; set; }

    public int Reminders { get; set; }
}

[JsonSerializable(typeof(CounterState))]
public sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>A grain for runtime tests: persistent counter, concurrency probe, timer and reminder.</summary>
public sealed class CounterGrain(IPersistentStateFactory states) : Grain, ICounterGrain, IRemindable
{
    public static int GlobalInside;
    public static int GlobalMaxInside;

    private IPersistentState<CounterState> _state = null!;
    private readonly Guid _activationId = Guid.NewGuid();
    private int _inside;
    private int _maxInside;
    private int _ticks;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (GrainKey.StartsWith("broken", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("This grain cannot activate.");
        }

        _state = states.Create(GrainId, "counter", TestJsonContext.Default.CounterState);
        await _state.ReadStateAsync();
    }

    public async Task<int> IncrementAsync()
    {
        _state.State.Count++;
        await _state.WriteStateAsync();
        return _state.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(_state.State.Count);

    public async Task<int> OverlapProbeAsync(int delayMs)
    {
        _maxInside = Math.Max(_maxInside, ++_inside);
        var global = Interlocked.Increment(ref GlobalInside);
        InterlockedMax(ref GlobalMaxInside, global);
        await Task.Delay(delayMs);
        Interlocked.Decrement(ref GlobalInside);
        _inside--;
        return _maxInside;
    }

    public Task<Guid> ActivationIdAsync() => Task.FromResult(_activationId);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task StartTimerAsync(int periodMs)
    {
        RegisterTimer(async () =>
        {
            _maxInside = Math.Max(_maxInside, ++_inside);
            await Task.Yield();
            _ticks++;
            _inside--;
        }, TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task<int> TimerTicksAsync() => Task.FromResult(_ticks);

    public Task RemindMeAtAsync(DateTimeOffset dueAt) => RegisterOrUpdateReminderAsync("ping", dueAt);

    public Task<int> RemindersReceivedAsync() => Task.FromResult(_state.State.Reminders);

    public async Task ReceiveReminder(string reminderName)
    {
        _state.State.Reminders++;
        await _state.WriteStateAsync();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
