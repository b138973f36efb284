using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// The hub's keep-alive pings, paced. SignalR's own check runs once a second over every connection and pings each one it
/// has not pinged for 15 s, busy or not: with 10,000 connections a burst of about 670 sends every second, which the
/// publishes arriving meanwhile wait behind (docs/BENCHMARKS.md, tenth session). Its pings are turned off
/// (<see cref="ServerComposition"/>) and this lifetime manager sends them instead:
/// <list type="bullet">
/// <item>each connection has a slot in a ring of at most <see cref="MaxSlots"/>, walked one slot per tick (100 ms, or longer
/// for long intervals), so every connection is visited once per interval, a few at a time;</item>
/// <item>a visited connection is pinged only if it was sent nothing for half an interval: any message keeps a client's
/// server timeout (30 s in the official clients, twice the default interval) from running out, and the longest silence
/// stays under 1.5 intervals;</item>
/// <item>ticks the loop missed (a stalled process: a timer coalesces them into one) are made up at once, up to one whole
/// ring, so a stall shorter than an interval does not push every later visit back by its length.</item>
/// </list>
/// </summary>
public sealed class PacedKeepAlive : DefaultHubLifetimeManager<NotificationHub>, IDisposable
{
    private const int MaxSlots = 600;
    private static readonly TimeSpan ShortestTick = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, KeepAlive>[] _ring;
    private readonly long _intervalMs;
    private readonly long _tickMs;
    private readonly PeriodicTimer _timer;
    private int _nextSlot;

    public PacedKeepAlive(ILogger<DefaultHubLifetimeManager<NotificationHub>> logger, IOptions<NotificationsOptions> options)
        : base(logger)
    {
        var interval = options.Value.HubKeepAliveInterval;
        _intervalMs = (long)interval.TotalMilliseconds;
        var slots = (int)Math.Clamp(interval / ShortestTick, 1, MaxSlots);
        _ring = [.. Enumerable.Range(0, slots).Select(_ => new ConcurrentDictionary<string, KeepAlive>(StringComparer.Ordinal))];
        _tickMs = (long)(interval / slots).TotalMilliseconds;
        _timer = new PeriodicTimer(interval / slots);
        _ = Task.Run(PingAsync);
    }

    /// <summary>The keep-alive of a connection this node holds (set before the hub's <c>OnConnectedAsync</c> runs).</summary>
    public static KeepAlive? Of(HubCallerContext connection) => connection.Features.Get<KeepAlive>();

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        // Long polling answers every poll within a set time (its inherent keep-alive), so SignalR does not ping it either.
        if (connection.Features.Get<IConnectionInherentKeepAliveFeature>()?.HasInherentKeepAlive == true)
        {
            return base.OnConnectedAsync(connection);
        }

        var slot = (int)((uint)Interlocked.Increment(ref _nextSlot) % (uint)_ring.Length);
        var keepAlive = new KeepAlive(connection, slot);
        connection.Features.Set(keepAlive);
        _ring[slot][connection.ConnectionId] = keepAlive;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (connection.Features.Get<KeepAlive>() is { } keepAlive)
        {
            _ring[keepAlive.Slot].TryRemove(connection.ConnectionId, out _);
        }

        return base.OnDisconnectedAsync(connection);
    }

    private async Task PingAsync()
    {
        var started = Environment.TickCount64;
        long visited = 0;
        while (await _timer.WaitForNextTickAsync())
        {
            var now = Environment.TickCount64;
            var (first, count) = SlotsDue(visited, (now - started) / _tickMs, _ring.Length);
            for (var i = 0L; i < count; i++)
            {
                Visit(_ring[(first + i) % _ring.Length], now);
            }

            visited = first + count;
        }
    }

    /// <summary>
    /// Which slots a tick visits, counted from the start (slot = count mod ring size): those whose tick has come since the
    /// last visit, at least one (a timer that runs a little fast still walks the ring) and at most a whole ring (a longer
    /// stall visits every slot once, from the oldest due).
    /// </summary>
    internal static (long First, long Count) SlotsDue(long visited, long ticksElapsed, int slots)
    {
        var first = Math.Max(visited, ticksElapsed - slots);
        return (first, Math.Max(1, ticksElapsed - first));
    }

    private void Visit(ConcurrentDictionary<string, KeepAlive> slot, long now)
    {
        foreach (var (_, keepAlive) in slot)
        {
            // Half an interval: each connection is visited once per interval, so the longest silence stays under 1.5 intervals
            // (22.5 s by default, inside the official clients' 30 s) whatever the timer's jitter.
            if (now - keepAlive.LastSentMs >= _intervalMs / 2)
            {
                keepAlive.Sent();
                Ping(keepAlive.Connection);
            }
        }
    }

    /// <summary>
    /// SignalR's write does not throw (a failed write aborts the connection, as its own ping does). Should one throw all the
    /// same, that connection is aborted and the loop goes on: a stopped loop would let every idle client time out.
    /// </summary>
    private static void Ping(HubConnectionContext connection)
    {
        try
        {
            _ = connection.WriteAsync(PingMessage.Instance);
        }
        catch (Exception)
        {
            connection.Abort();
        }
    }

    /// <summary>Ends the pinging (idempotent: the container disposes this once per registration).</summary>
    public void Dispose() => _timer.Dispose();

    /// <summary>One connection's keep-alive: when it was last sent something.</summary>
    public sealed class KeepAlive(HubConnectionContext connection, int slot)
    {
        private long _lastSentMs = Environment.TickCount64;

        internal HubConnectionContext Connection => connection;

        internal int Slot => slot;

        internal long LastSentMs => Volatile.Read(ref _lastSentMs);

        /// <summary>Something was just sent: no ping is due for half an interval.</summary>
        public void Sent() => Volatile.Write(ref _lastSentMs, Environment.TickCount64);
    }
}
