using OrleansNotifications.Client;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Cluster;

/// <summary>Three nodes on one PostgreSQL database: any node accepts any request, and each user's grain runs on its owner only.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class ClusterTests(PostgresServer postgres, TestCluster cluster) : IClassFixture<TestCluster>
{
    private async Task<(string AppId, string Token)> CreateAppAsync(ClusterNode via)
    {
        var appId = "app-" + Guid.NewGuid().ToString("N")[..10];
        var created = await via.Client(TestCluster.AdminKey).PostAsJsonAsync("/v1/admin/apps", new { appId }).ExpectAsync(201);
        var token = await via.Client().PostAsync("/v1/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = created.Str("clientId"), ["client_secret"] = created.Str("clientSecret"),
        })).ExpectAsync(200);
        return (appId, token.Str("access_token"));
    }

    private static Task<JsonElement> PublishAsync(ClusterNode via, string token, string user, string title) =>
        via.Client(token).PostJsonAsync($"/v1/users/{user}/notifications", $$"""{"payload":{"visualContent":{"title":"{{title}}"}""" + "}}").ExpectAsync(201);

    [Fact]
    public async Task PublishesThroughEveryNode_RunOnTheOwner_WithOneGapFreeSequence()
    {
        await cluster.StartAsync(postgres);
        var (appId, token) = await CreateAppAsync(cluster.Nodes[0]);
        var users = Enumerable.Range(0, 12).Select(_ => TestApp.NewUserId()).ToList();
        for (var round = 0; round < 3; round++)
        {
            foreach (var (user, i) in users.Select((u, i) => (u, i)))
            {
                var published = await PublishAsync(cluster.Nodes[(i + round) % cluster.Nodes.Count], token, user, $"r{round}");
                Assert.Equal(round + 1, published.GetProperty("sequence").GetInt64());
            }
        }

        foreach (var user in users)
        {
            var grain = new GrainId(UserGrain.GrainTypeName, new UserKey(appId, user).GrainKey);
            var owner = cluster.OwnerOf(grain);
            Assert.All(cluster.Nodes, node => Assert.Equal(node == owner, node.Services.GetRequiredService<OrleansNotifications.Runtime.Activation.GrainCatalog>().IsActive(grain)));
        }

        // The users are spread: more than one node owns some.
        Assert.True(users.Select(u => cluster.OwnerOf(new GrainId(UserGrain.GrainTypeName, new UserKey(appId, u).GrainKey))).Distinct().Count() > 1);
    }

    [Fact]
    public async Task AdminCluster_FromAnyNode_ShowsEveryNodesOwnActivity()
    {
        await cluster.StartAsync(postgres);
        var (_, token) = await CreateAppAsync(cluster.Nodes[0]);
        for (var i = 0; i < 12; i++)
        {
            await PublishAsync(cluster.Nodes[i % cluster.Nodes.Count], token, TestApp.NewUserId(), "counted");
        }

        var view = await cluster.Nodes[1].Client(TestCluster.AdminKey).GetAsync("/v1/admin/cluster").ExpectAsync(200);
        Assert.Equal(cluster.Nodes[1].Name, view.Str("node"));
        var nodes = view.GetProperty("nodes").EnumerateArray().Where(n => n.Str("status") == "active").ToList();
        Assert.Equal(cluster.Nodes.Select(n => n.Name).Order(), nodes.Select(n => n.Str("name")).Order());
        foreach (var node in nodes)
        {
            // Each node answered for itself (over its internal HTTP/2 endpoint): its own name, and the users it owns.
            Assert.StartsWith("h2c://127.0.0.1:", node.Str("address"), StringComparison.Ordinal);
            Assert.Equal(node.Str("name"), node.GetProperty("activity").Str("node"));
            Assert.True(node.GetProperty("heartbeatAgeSeconds").GetDouble() < 5);
        }

        // 12 users spread over the owners: the per-node activations add up to at least them (other tests add more).
        Assert.True(nodes.Sum(n => n.GetProperty("activationsByType").TryGetProperty("user", out var users) ? users.GetInt32() : 0) >= 12);
        Assert.True(nodes.Count(n => n.GetProperty("activity").GetProperty("totals").GetProperty("publishes").GetInt64() > 0) > 1);
    }

    [Fact]
    public async Task TheHubClient_WorksOverHttp2_AsTheLoadGeneratorUsesIt()
    {
        // WebSockets over HTTP/2 (RFC 8441) on a node's HTTP/2-only endpoint: many hub connections share one TCP connection.
        await cluster.StartAsync(postgres);
        var node = cluster.Nodes[0];
        var (_, token) = await CreateAppAsync(node);
        var user = TestApp.NewUserId();
        var userToken = (await node.Client(token).PostAsync($"/v1/users/{user}/tokens", null).ExpectAsync(201)).Str("token");
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var received = new System.Collections.Concurrent.ConcurrentQueue<long>();
        await using var a = await HubConnection.ConnectAsync(new Uri(node.InternalUrl), userToken, c => received.Enqueue(c.GetProperty("sequence").GetInt64()), invoker, http2: true);
        await using var b = await HubConnection.ConnectAsync(new Uri(node.InternalUrl), userToken, c => received.Enqueue(c.GetProperty("sequence").GetInt64()), invoker, http2: true);

        await PublishAsync(cluster.Nodes[1], token, user, "over h2");

        for (var deadline = DateTime.UtcNow.AddSeconds(20); received.Count < 2; await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < deadline, $"received {received.Count} of 2");
        }

        Assert.Equal([1L, 1L], received.ToArray());
    }

    [Fact]
    public async Task TheNodesRoutes_AnswerOnTheInternalEndpointOnly_AndOnlyToTheClusterSecret()
    {
        await cluster.StartAsync(postgres);
        var node = cluster.Nodes[0];
        var secret = node.Services.GetRequiredService<OrleansNotifications.Runtime.Transport.IClusterSecret>().Value;
        async Task<int> ActivityAsync(string baseUrl, string? withSecret, bool http2)
        {
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/internal/activity");
            if (http2)
            {
                (request.Version, request.VersionPolicy) = (System.Net.HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact);
            }

            if (withSecret is not null)
            {
                request.Headers.Add(OrleansNotifications.Runtime.Transport.RemoteGrainCallInvoker.SecretHeader, withSecret);
            }

            return (int)(await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(200, await ActivityAsync(node.InternalUrl, secret, http2: true));
        Assert.Equal(404, await ActivityAsync(node.InternalUrl, "wrong", http2: true));
        Assert.Equal(404, await ActivityAsync(node.Url, secret, http2: false)); // the public endpoint does not have them
    }

    [Fact]
    public async Task ReadsAndStateChanges_WorkFromAnyNode()
    {
        await cluster.StartAsync(postgres);
        var (_, token) = await CreateAppAsync(cluster.Nodes[1]);
        var user = TestApp.NewUserId();
        var id = (await PublishAsync(cluster.Nodes[0], token, user, "hello")).Str("id");
        await cluster.Nodes[2].Client(token).PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"readState":"read"}""").ExpectAsync(200);
        var feed = await cluster.Nodes[1].Client(token).GetAsync($"/v1/users/{user}/changes?since=0").ExpectAsync(200);
        Assert.Equal(["created", "updated"], feed.GetProperty("value").EnumerateArray().Select(c => c.Str("kind")));
    }

    [Fact]
    public async Task ADeviceOnOneNode_GetsChangesOfAUserWhoseGrainIsOnAnother_PublishedThroughAThird()
    {
        await cluster.StartAsync(postgres);
        var (appId, token) = await CreateAppAsync(cluster.Nodes[0]);
        var user = TestApp.NewUserId();
        var owner = cluster.OwnerOf(new GrainId(UserGrain.GrainTypeName, new UserKey(appId, user).GrainKey));
        var others = cluster.Nodes.Where(n => n != owner).ToList();
        var userToken = (await others[0].Client(token).PostAsync($"/v1/users/{user}/tokens", null).ExpectAsync(201)).Str("token");
        await using var remoteDevice = await HubClient.ConnectAsync(new Uri(others[0].Url), userToken);
        await using var localDevice = await HubClient.ConnectAsync(new Uri(owner.Url), userToken);

        var published = await PublishAsync(others[1], token, user, "across");
        var read = await remoteDevice.InvokeAsync("MarkRead", published.Str("id"));

        foreach (var device in new[] { remoteDevice, localDevice })
        {
            Assert.Equal((1L, "created"), await NextAsync(device));
            Assert.Equal((2L, "updated"), await NextAsync(device));
        }

        Assert.Equal("read", read.Str("readState"));
    }

    [Fact]
    public async Task ADeadOwnersReminders_AreFiredByTheNewOwner()
    {
        await cluster.StartAsync(postgres);
        var doomed = await cluster.AddNodeAsync();
        await cluster.WaitForViewAsync();
        var (appId, token) = await CreateAppAsync(cluster.Nodes[0]);
        var user = Enumerable.Range(0, 200).Select(_ => TestApp.NewUserId())
            .First(u => cluster.OwnerOf(new GrainId(UserGrain.GrainTypeName, new UserKey(appId, u).GrainKey)) == doomed);
        var expires = DateTimeOffset.UtcNow.AddSeconds(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await cluster.Nodes[0].Client(token).PostJsonAsync($"/v1/users/{user}/notifications",
            "{\"expirationDateTime\":\"" + expires + "\",\"payload\":{\"rawContent\":\"soon gone\"}}").ExpectAsync(201);

        await cluster.RemoveAsync(doomed); // its expiry reminder row stays in the database; the new owner must fire it

        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200))
        {
            var feed = await cluster.Nodes[0].Client(token).GetAsync($"/v1/users/{user}/changes?since=0").ExpectAsync(200);
            if (feed.GetProperty("value").EnumerateArray().Any(c => c.Str("kind") == "expired"))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "The expiry reminder of the departed owner never fired.");
        }
    }

    private static async Task<(long, string)> NextAsync(HubConnection device)
    {
        var change = await device.NextChangeAsync();
        return (change.GetProperty("sequence").GetInt64(), change.Str("kind"));
    }

    [Fact]
    public async Task ANodeThatLeaves_HandsItsUsersToTheOthers()
    {
        await cluster.StartAsync(postgres);
        var joined = await cluster.AddNodeAsync();
        await cluster.WaitForViewAsync();
        var (appId, token) = await CreateAppAsync(cluster.Nodes[0]);
        var user = Enumerable.Range(0, 200).Select(_ => TestApp.NewUserId())
            .First(u => cluster.OwnerOf(new GrainId(UserGrain.GrainTypeName, new UserKey(appId, u).GrainKey)) == joined);
        await PublishAsync(cluster.Nodes[0], token, user, "before");
        var userToken = (await cluster.Nodes[0].Client(token).PostAsync($"/v1/users/{user}/tokens", null).ExpectAsync(201)).Str("token");
        await using var device = await HubClient.ConnectAsync(new Uri(cluster.Nodes[0].Url), userToken);

        await cluster.RemoveAsync(joined);

        // Its grain (and the registration of the device) was on the node that left: the device is told to reconnect.
        await device.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        var after = await PublishAsync(cluster.Nodes[0], token, user, "after");
        Assert.Equal(2, after.GetProperty("sequence").GetInt64());
        Assert.NotEqual(joined.Name, cluster.OwnerOf(new GrainId(UserGrain.GrainTypeName, new UserKey(appId, user).GrainKey)).Name);
    }

    [Fact]
    public async Task AnOwnerThatHasNotSeenTheDevicesNodeYet_LearnsOfItAndRelaysToIt()
    {
        // Two nodes of their own whose views refresh only when asked (hour-long heartbeat, longer lease): "owner" starts alone and
        // sees only itself; "holder" starts after it and sees both. A device on holder registers with owner's grain, so owner
        // must learn of holder then; otherwise it drops the device's changes as "node gone" and the device hears nothing.
        var connectionString = postgres.ConnectionString(await postgres.CreateDatabaseAsync("lagging"));
        using var data = new TempDirectory();
        await using var owner = new ClusterNode("owner", connectionString, Path.Combine(data.Path, "owner"), TimeSpan.FromHours(1), TimeSpan.FromHours(3));
        owner.StartServer();
        await owner.Membership.RefreshAsync();
        await using var holder = new ClusterNode("holder", connectionString, Path.Combine(data.Path, "holder"), TimeSpan.FromHours(1), TimeSpan.FromHours(3));
        holder.StartServer();
        await holder.Membership.RefreshAsync();
        Assert.Equal(["owner"], owner.Membership.Active.Select(m => m.Name));
        Assert.Equal(["holder", "owner"], holder.Membership.Active.Select(m => m.Name));

        var (appId, token) = await CreateAppAsync(holder);
        var user = Enumerable.Range(0, 200).Select(_ => TestApp.NewUserId()).First(u =>
            RendezvousPlacement.OwnerOf(new UserKey(appId, u).GrainKey, holder.Membership.Active)!.Name == "owner");
        var userToken = (await holder.Client(token).PostAsync($"/v1/users/{user}/tokens", null).ExpectAsync(201)).Str("token");
        await using var device = await HubClient.ConnectAsync(new Uri(holder.Url), userToken);

        await PublishAsync(owner, token, user, "to the device on the other node");

        Assert.Equal((1L, "created"), await NextAsync(device));
    }
}
