using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Cluster;

/// <summary>Lease rows on the embedded database, and the admin cluster route that shows them.</summary>
public sealed class MembershipTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly TempDirectory _data = new();
    private ServiceProvider? _storage;

    /// <summary>
    /// The lease tests' nodes have a table of their own: in the fixture server's table a node that stops renewing stays
    /// active there for the server's own lease (8 s), and the server would place the other tests' grains on it.
    /// </summary>
    private IMembershipTable Table => (_storage ??= new ServiceCollection()
        .AddLogging()
        .AddSqliteStorage(o => o.ConnectionString = $"Data Source={Path.Combine(_data.Path, "membership.db")}")
        .BuildServiceProvider()).GetRequiredService<IMembershipTable>();

    private ClusterMembership Node(string name, TimeSpan? lease = null) => new(
        Table,
        Options.Create(new MembershipOptions
        {
            NodeName = name, AdvertisedAddress = $"http://{name}:5000",
            HeartbeatPeriod = TimeSpan.FromMilliseconds(100), LeaseTimeout = lease ?? TimeSpan.FromSeconds(30),
        }),
        NullLogger<ClusterMembership>.Instance);

    [Fact]
    public async Task Nodes_SeeEachOther_AndACleanLeaveIsSeenAtOnce()
    {
        var a = Node("node-a-" + Guid.NewGuid().ToString("N")[..6], TimeSpan.FromSeconds(2));
        var b = Node("node-b-" + Guid.NewGuid().ToString("N")[..6], TimeSpan.FromSeconds(2));
        await a.RefreshAsync();
        await b.RefreshAsync();
        await a.RefreshAsync();
        Assert.Contains(a.Active, m => m.Name == b.LocalName && m.Address == $"http://{b.LocalName}:5000");
        Assert.Contains(b.Active, m => m.Name == a.LocalName);
        Assert.True(a.HasJoined);

        await b.StopAsync(CancellationToken.None);
        await a.RefreshAsync();
        Assert.DoesNotContain(a.Active, m => m.Name == b.LocalName);
        Assert.Equal(MemberStatus.Dead, a.Members.Single(m => m.Name == b.LocalName).Status);
        await a.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ANodeThatStopsRenewing_IsDeadOnceItsLeaseRunsOut_ByTheDatabaseClock()
    {
        var lease = TimeSpan.FromSeconds(3); // longer than the two heartbeats below take on a loaded machine
        var watcher = Node("watcher-" + Guid.NewGuid().ToString("N")[..6], lease);
        var silent = Node("silent-" + Guid.NewGuid().ToString("N")[..6], lease);
        await silent.RefreshAsync(); // one heartbeat, then nothing (as if killed)
        await watcher.RefreshAsync();
        Assert.Contains(watcher.Active, m => m.Name == silent.LocalName);

        for (var deadline = DateTime.UtcNow.AddSeconds(10); watcher.Active.Any(m => m.Name == silent.LocalName); await Task.Delay(50))
        {
            Assert.True(DateTime.UtcNow < deadline, "The silent node's lease never ran out.");
            await watcher.RefreshAsync();
        }

        Assert.Equal(MemberStatus.Dead, watcher.Members.Single(m => m.Name == silent.LocalName).Status);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ClusterRoute_ShowsThisNodeActive_WithItsActivations_ToAdminsOnly()
    {
        var app = await server.CreateAppAsync();
        await app.PublishAsync(TestApp.NewUserId());
        var cluster = await server.Admin().GetAsync("/v1/admin/cluster").ExpectAsync(200);
        var self = cluster.GetProperty("nodes").EnumerateArray().Single(n => n.Str("name") == cluster.Str("node"));
        Assert.Equal("active", self.Str("status"));
        Assert.True(self.GetProperty("activations").GetInt32() >= 1);
        Assert.True(self.GetProperty("activationsByType").GetProperty("user").GetInt32() >= 1);
        Assert.True(self.GetProperty("lastHeartbeatDateTime").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        await app.Client().GetAsync("/v1/admin/cluster").ExpectProblemAsync(401);
        await server.Anonymous().GetAsync("/v1/admin/cluster").ExpectProblemAsync(401);
    }

    public void Dispose()
    {
        _storage?.Dispose();
        _data.Dispose();
    }
}
