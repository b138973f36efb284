using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Cluster;

/// <summary>
/// Several nodes in this test process, each a real Kestrel server on a loopback port, sharing one throwaway PostgreSQL
/// database, with a short heartbeat period. Nodes call each other over HTTP exactly as separate processes would.
/// Tests call <see cref="StartAsync"/> first (a class fixture cannot take the PostgreSQL collection fixture itself).
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    public const string AdminKey = ServerFixture.AdminKeyValue;
    private readonly TempDirectory _data = new();
    private readonly SemaphoreSlim _starting = new(1);
    private string? _connectionString;
    private int _nextNode;

    public List<ClusterNode> Nodes { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Three nodes on a fresh database of <paramref name="postgres"/>, once per test class.</summary>
    public async Task StartAsync(PostgresServer postgres)
    {
        await _starting.WaitAsync();
        try
        {
            if (_connectionString is not null)
            {
                return;
            }

            _connectionString = postgres.ConnectionString(await postgres.CreateDatabaseAsync("cluster"));
            for (var i = 0; i < 3; i++)
            {
                await AddNodeAsync();
            }

            await WaitForViewAsync();
        }
        finally
        {
            _starting.Release();
        }
    }

    public async Task<ClusterNode> AddNodeAsync()
    {
        var node = new ClusterNode($"node-{++_nextNode}", _connectionString!, Path.Combine(_data.Path, $"node-{_nextNode}"));
        node.StartServer();
        Nodes.Add(node);
        await node.Membership.RefreshAsync();
        return node;
    }

    /// <summary>Until every running node sees exactly the running nodes as active.</summary>
    public async Task WaitForViewAsync()
    {
        var names = Nodes.Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            foreach (var node in Nodes)
            {
                await node.Membership.RefreshAsync();
            }

            if (Nodes.All(n => n.Membership.Active.Select(m => m.Name).SequenceEqual(names)))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The nodes did not agree on the membership within 10 s.");
        }
    }

    public ClusterNode OwnerOf(GrainId grain) =>
        Nodes.Single(n => n.Name == RendezvousPlacement.OwnerOf(grain.PlacementKey, Nodes[0].Membership.Active)!.Name);

    public async Task RemoveAsync(ClusterNode node)
    {
        Nodes.Remove(node);
        await node.DisposeAsync();
        await WaitForViewAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        _data.Dispose();
    }
}

/// <summary>
/// One node. By default it renews and re-reads the membership every 200 ms with a 10 s lease: nodes here only leave cleanly
/// (seen at once), and a short lease would let one stall of a loaded machine (CI runs every test class at once) declare a
/// live node dead and move its grains and connections under the test. A test that needs a node whose
/// view stays as it was passes a long <paramref name="heartbeat"/> (and lease, so the others do not declare it dead).
/// </summary>
public sealed class ClusterNode(string name, string connectionString, string dataDirectory, TimeSpan? heartbeat = null, TimeSpan? lease = null)
    : WebApplicationFactory<Program>
{
    private readonly int _port = FreePort();
    private readonly int _internalPort = FreePort();

    public string Name => name;

    public string Url => $"http://127.0.0.1:{_port}";

    /// <summary>The HTTP/2-only endpoint the other nodes call.</summary>
    public string InternalUrl => $"http://127.0.0.1:{_internalPort}";

    public ClusterMembership Membership => Services.GetRequiredService<ClusterMembership>();

    public IActivationDirectory Activations => Services.GetRequiredService<IActivationDirectory>();

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        return token is null ? client : client.WithBearer(token);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The public endpoint, and the HTTP/2-only one the other nodes call (as Cluster:InternalUrl makes in production).
        UseKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, _port);
            kestrel.Listen(System.Net.IPAddress.Loopback, _internalPort, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        });
        builder.UseEnvironment("Testing");
        builder.UseSetting("urls", Url);
        builder.UseSetting("Notifications:DataDirectory", dataDirectory);
        builder.UseSetting("Notifications:AdminKey", ServerFixture.AdminKeyValue);
        builder.UseSetting("Notifications:Storage:Provider", "PostgreSql");
        builder.UseSetting("Notifications:Storage:ConnectionString", connectionString);
        builder.UseSetting("Notifications:Cluster:NodeName", name);
        builder.UseSetting("Notifications:Cluster:InternalUrl", $"http://127.0.0.1:{_internalPort}");
        builder.UseSetting("Notifications:Cluster:HeartbeatPeriod", (heartbeat ?? TimeSpan.FromMilliseconds(200)).ToString("c"));
        builder.UseSetting("Notifications:Cluster:LeaseTimeout", (lease ?? TimeSpan.FromSeconds(10)).ToString("c"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
