using OrleansNotifications.Runtime;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Runtime;

public sealed class GrainRuntimeTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly ManualTimeProvider _clock = new();
    private RuntimeHost _host = null!;

    private string Database => Path.Combine(_data.Path, "runtime.db");

    public Task InitializeAsync()
    {
        _host = new RuntimeHost(Database, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Calls_ToOneActivation_RunOneAtATime_WhileDifferentGrainsRunInParallel()
    {
        var grain = _host.Grains.GetGrain<ICounterGrain>("serial");
        var seen = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.OverlapProbeAsync(5)));
        Assert.All(seen, max => Assert.Equal(1, max));

        CounterGrain.GlobalMaxInside = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _host.Grains.GetGrain<ICounterGrain>($"parallel-{i}").OverlapProbeAsync(500)));
        Assert.True(CounterGrain.GlobalMaxInside > 1, "different grains should not wait for each other");
    }

    [Fact]
    public async Task GrainReference_AlwaysWorks_AndOneKeyHasOneActivation()
    {
        var a = _host.Grains.GetGrain<ICounterGrain>("same");
        var b = _host.Grains.GetGrain<ICounterGrain>("same");
        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).ActivationIdAsync()));
        Assert.Single(ids.Distinct());
        Assert.NotEqual(ids[0], await _host.Grains.GetGrain<ICounterGrain>("other").ActivationIdAsync());
    }

    [Fact]
    public async Task Deactivated_Grain_IsRecreatedFromStorageOnItsNextCall()
    {
        var grain = _host.Grains.GetGrain<ICounterGrain>("persisted");
        await grain.IncrementAsync();
        await grain.IncrementAsync();
        var first = await grain.ActivationIdAsync();
        await grain.DeactivateAsync();

        Assert.Equal(3, await grain.IncrementAsync());
        Assert.NotEqual(first, await grain.ActivationIdAsync());
    }

    [Fact]
    public async Task State_SurvivesARestartOfTheWholeRuntime()
    {
        await _host.Grains.GetGrain<ICounterGrain>("durable").IncrementAsync();
        await _host.DisposeAsync();
        _host = new RuntimeHost(Database, _clock);
        Assert.Equal(1, await _host.Grains.GetGrain<ICounterGrain>("durable").GetAsync());
    }

    [Fact]
    public async Task PersistentState_WriteFromAStaleCopy_FailsWithInconsistentState()
    {
        var id = new GrainId("counter", "etag");
        var first = _host.States.Create(id, "counter", TestJsonContext.Default.CounterState);
        var second = _host.States.Create(id, "counter", TestJsonContext.Default.CounterState);
        await first.ReadStateAsync();
        await second.ReadStateAsync();

        first.State.Count = 10;
        await first.WriteStateAsync();
        second.State.Count = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(second.WriteStateAsync);

        var reread = _host.States.Create(id, "counter", TestJsonContext.Default.CounterState);
        await reread.ReadStateAsync();
        Assert.Equal(10, reread.State.Count);
    }

    [Fact]
    public async Task Grain_WhoseStateWasOverwritten_FailsItsWrite_ThenReactivatesWithTheNewerState()
    {
        var grain = _host.Grains.GetGrain<ICounterGrain>("stale");
        await grain.IncrementAsync();

        // Another writer (think: the new owner after a failover) moves the stored state on.
        var other = _host.States.Create(new GrainId("counter", "stale"), "counter", TestJsonContext.Default.CounterState);
        await other.ReadStateAsync();
        other.State.Count = 100;
        await other.WriteStateAsync();

        await Assert.ThrowsAsync<InconsistentStateException>(grain.IncrementAsync);
        Assert.Equal(101, await grain.IncrementAsync());
    }

    [Fact]
    public async Task IdleActivations_AreCollected_BusyOnesAreKept()
    {
        var idle = _host.Grains.GetGrain<ICounterGrain>("idle");
        var busy = _host.Grains.GetGrain<ICounterGrain>("busy");
        var idleFirst = await idle.ActivationIdAsync();
        var busyFirst = await busy.ActivationIdAsync();

        _clock.Advance(TimeSpan.FromMinutes(1.5));
        await busy.GetAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));

        // An activation whose pump is still winding down (preempted right after its last call) is skipped and collected on a
        // later pass, as the collector's timer would: poll with a deadline.
        await Eventually.HoldsAsync(() =>
        {
            _host.Catalog.CollectIdle();
            return !_host.Catalog.IsActive(new GrainId("counter", "idle"));
        }, "Condition not met before the deadline.");

        Assert.True(_host.Catalog.IsActive(new GrainId("counter", "busy")));
        Assert.Equal(busyFirst, await busy.ActivationIdAsync());
        Assert.NotEqual(idleFirst, await idle.ActivationIdAsync());
    }

    [Fact]
    public async Task Timer_TicksAsMessagesOfTheActivation()
    {
        var grain = _host.Grains.GetGrain<ICounterGrain>("timer");
        await grain.StartTimerAsync(periodMs: 5);
        var probes = Task.WhenAll(Enumerable.Range(0, 10).Select(_ => grain.OverlapProbeAsync(3)));
        await Eventually.HoldsAsync(async () => await grain.TimerTicksAsync() >= 5, "Condition not met before the deadline.");
        Assert.All(await probes, max => Assert.Equal(1, max));
    }

    [Fact]
    public async Task Reminder_IsDurable_AndFiresAfterARestartWhenDue()
    {
        await _host.Grains.GetGrain<ICounterGrain>("reminded").RemindMeAtAsync(_clock.GetUtcNow().AddMinutes(1));
        Assert.Equal(0, await _host.Reminders.PollOnceAsync());

        await _host.DisposeAsync();
        _host = new RuntimeHost(Database, _clock);
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(1, await _host.Reminders.PollOnceAsync());
        Assert.Equal(1, await _host.Grains.GetGrain<ICounterGrain>("reminded").RemindersReceivedAsync());
        Assert.Equal(0, await _host.Reminders.PollOnceAsync());
    }

    [Fact]
    public async Task FailedActivation_FailsItsCalls_AndIsRetriedOnTheNextCall()
    {
        var broken = _host.Grains.GetGrain<ICounterGrain>("broken-1");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(broken.GetAsync);
        Assert.Contains("cannot activate", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(broken.GetAsync);
        Assert.Equal(1, await _host.Grains.GetGrain<ICounterGrain>("fine").IncrementAsync());
    }
}
