using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Grains;
using OrleansNotifications.Server.Hubs;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Hubs;

/// <summary>
/// The outbox's own rules, with a client whose sends the test completes: order, and what happens to a client that stops
/// reading. (The hub tests cover the same outbox end to end; a real socket buffers megabytes before a send blocks, so a
/// stalled client is made here.)
/// </summary>
public sealed class ConnectionOutboxTests
{
    [Fact]
    public async Task Changes_QueuedFromManyThreads_AreSentOneAtATime_InSequenceOrder()
    {
        var client = new SlowClient();
        var connection = new Connection();
        var outbox = new ConnectionOutbox(client, connection, new UserKey("app", "user"), keepAlive: null);

        var next = 0L;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 250; i++)
            {
                lock (gate) // a user's grain queues one turn at a time; the threads only vary where it runs
                {
                    next++;
                    Assert.True(outbox.TryQueue([Change(next)]));
                }
            }
        })));

        await Eventually.HoldsAsync(() => client.SentCount == 1000, () => $"sent {client.SentCount} of 1000");
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), client.Sent);
        Assert.Equal(1, client.MostInFlight);
        Assert.False(connection.Aborted);
    }

    [Fact]
    public async Task TheCaller_NeverSends_EvenWhenASendBlocksItsThread()
    {
        using var unblock = new ManualResetEventSlim();
        var client = new BlockingClient(unblock);
        var outbox = new ConnectionOutbox(client, new Connection(), new UserKey("app", "user"), keepAlive: null);

        var caller = Environment.CurrentManagedThreadId;
        Assert.True(outbox.TryQueue([Change(1)])); // returns although the send below blocks until the test ends
        // Checked before this test yields its thread: afterwards the pool may well run the drain on this same thread, which
        // is fine (the caller has moved on), and made this assertion fail now and then when it came after the wait.
        Assert.NotEqual(caller, client.SenderThread);
        await Eventually.HoldsAsync(() => client.SenderThread is not null, () => "the change was never sent");
        unblock.Set();
    }

    [Fact]
    public async Task AClientThatStopsReading_IsDisconnected_WhenCapacityChangesWait()
    {
        var client = new SlowClient { Stalled = true };
        var connection = new Connection();
        var outbox = new ConnectionOutbox(client, connection, new UserKey("app", "user"), keepAlive: null);

        Assert.True(outbox.TryQueue([Change(1)]));
        await Eventually.HoldsAsync(() => client.InFlight == 1, () => "the first change was never sent");
        for (var sequence = 2L; sequence <= ConnectionOutbox.Capacity + 1; sequence++)
        {
            Assert.True(outbox.TryQueue([Change(sequence)]), $"refused change {sequence}");
        }

        Assert.False(connection.Aborted);
        Assert.False(outbox.TryQueue([Change(ConnectionOutbox.Capacity + 2)]));
        Assert.True(connection.Aborted);
        Assert.False(outbox.TryQueue([Change(ConnectionOutbox.Capacity + 3)]));
    }

    [Fact]
    public async Task AClosedOutbox_SendsNothingMore()
    {
        var client = new SlowClient { Stalled = true };
        var connection = new Connection();
        var outbox = new ConnectionOutbox(client, connection, new UserKey("app", "user"), keepAlive: null);
        Assert.True(outbox.TryQueue([Change(1), Change(2), Change(3)]));
        await Eventually.HoldsAsync(() => client.InFlight == 1, () => "the first change was never sent");

        outbox.Close();
        client.Release();

        Assert.Equal([1L], client.Sent);
        Assert.True(connection.Aborted);
        Assert.False(outbox.TryQueue([Change(4)]));
    }

    [Fact]
    public async Task ASendThatFails_ClosesTheConnection_RatherThanSkipAChange()
    {
        var client = new FailingClient(failAt: 2);
        var connection = new Connection();
        var outbox = new ConnectionOutbox(client, connection, new UserKey("app", "user"), keepAlive: null);

        Assert.True(outbox.TryQueue([Change(1), Change(2), Change(3)]));

        await Eventually.HoldsAsync(() => connection.Aborted, () => "a failed send left the connection open");
        Assert.Equal([1L, 2L], client.Attempted); // change 3 is not sent past the gap change 2 left
        Assert.False(outbox.TryQueue([Change(4)]));
    }

    private static LiveChange Change(long sequence) => new(sequence, new HubJson(BitConverter.GetBytes(sequence)));

    /// <summary>Records the sequence of each change sent; completes each send later, or (stalled) never until released.</summary>
    private sealed class SlowClient : ISingleClientProxy
    {
        // Continuations run inline: Release() returns only once the drain has gone as far as it will.
        private readonly TaskCompletionSource _released = new();
        private int _inFlight;

        public bool Stalled { get; init; }

        public List<long> Sent { get; } = [];

        public int SentCount
        {
            get
            {
                lock (Sent)
                {
                    return Sent.Count;
                }
            }
        }

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MostInFlight { get; private set; }

        public void Release() => _released.TrySetResult();

        public async Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            lock (Sent)
            {
                MostInFlight = Math.Max(MostInFlight, inFlight);
                Sent.Add(BitConverter.ToInt64(((HubJson)args[0]!).Utf8Json));
            }

            if (Stalled)
            {
                await _released.Task;
            }
            else
            {
                await Task.Yield(); // completes later, on another thread, as a busy socket's send does
            }

            Interlocked.Decrement(ref _inFlight);
        }

        public Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>Sends fail from the <paramref name="failAt"/>th on, asynchronously, as a transport torn down mid-send does.</summary>
    private sealed class FailingClient(int failAt) : ISingleClientProxy
    {
        private readonly List<long> _attempted = [];

        public List<long> Attempted
        {
            get
            {
                lock (_attempted)
                {
                    return [.. _attempted];
                }
            }
        }

        public async Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            int count;
            lock (_attempted)
            {
                _attempted.Add(BitConverter.ToInt64(((HubJson)args[0]!).Utf8Json));
                count = _attempted.Count;
            }

            await Task.Yield();
            if (count >= failAt)
            {
                throw new IOException("the transport went away");
            }
        }

        public Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    /// <summary>A send that holds its thread until released, as a synchronous write to a full socket would.</summary>
    private sealed class BlockingClient(ManualResetEventSlim unblock) : ISingleClientProxy
    {
        public int? SenderThread { get; private set; }

        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            SenderThread = Environment.CurrentManagedThreadId;
            unblock.Wait(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        }

        public Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class Connection : HubCallerContext
    {
        public bool Aborted { get; private set; }

        public override string ConnectionId => "connection";
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort() => Aborted = true;
    }
}
