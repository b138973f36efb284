using OrleansNotifications.Client;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Activation;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Server.Hubs;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Hubs;

/// <summary>The hub's authorisation, and the connection registry of the UserGrain behind it.</summary>
public sealed class HubTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private Task<HubConnection> ConnectAsync(string userToken) => HubClient.ConnectAsync(server.Server, userToken);

    private IUserGrain Grain(TestApp app, string user) =>
        server.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(new UserKey(app.AppId, user).GrainKey);

    private static long[] Sequences(IEnumerable<JsonElement> changes) => [.. changes.Select(c => c.GetProperty("sequence").GetInt64())];

    private static async Task<List<JsonElement>> ReceiveAsync(HubConnection client, int count)
    {
        var changes = new List<JsonElement>();
        for (var i = 0; i < count; i++)
        {
            changes.Add(await client.NextChangeAsync());
        }

        return changes;
    }

    [Fact]
    public async Task Negotiate_AcceptsOnlyUserTokens()
    {
        var app = await server.CreateAppAsync();
        var userToken = await app.UserTokenAsync(TestApp.NewUserId());
        const string negotiate = "/hubs/notifications/negotiate?negotiateVersion=1";

        await server.Anonymous().PostAsync(negotiate, null).ExpectProblemAsync(401);
        await server.Anonymous().WithBearer("not-a-token").PostAsync(negotiate, null).ExpectProblemAsync(401);
        await server.Anonymous().WithBearer(userToken[..^4] + "AAAA").PostAsync(negotiate, null).ExpectProblemAsync(401);
        await app.Client().PostAsync(negotiate, null).ExpectProblemAsync(403);
        await server.Anonymous().WithBearer(userToken).PostAsync(negotiate, null).ExpectAsync(200);
        // The query string form, as the JS client sends it over WebSockets.
        await server.Anonymous().PostAsync($"{negotiate}&access_token={userToken}", null).ExpectAsync(200);
    }

    [Fact]
    public async Task QueryStringToken_IsAcceptedByTheHubOnly()
    {
        var app = await server.CreateAppAsync();
        var userToken = await app.UserTokenAsync(TestApp.NewUserId());
        await server.Anonymous().GetAsync($"/v1/me/notifications?access_token={userToken}").ExpectProblemAsync(401);
    }

    [Fact]
    public async Task ExpiredUserToken_IsRefused()
    {
        var app = await server.CreateAppAsync();
        var userToken = await app.UserTokenAsync(TestApp.NewUserId(), expiresInSeconds: 60);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        await server.Anonymous().WithBearer(userToken).PostAsync("/hubs/notifications/negotiate?negotiateVersion=1", null).ExpectProblemAsync(401);
    }

    [Fact]
    public async Task EveryConnection_GetsEachChangeOnce_InSequenceOrder_WhoeverCausedIt()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var token = await app.UserTokenAsync(user);
        await using var phone = await ConnectAsync(token);
        await using var laptop = await ConnectAsync(token);

        var published = await app.PublishAsync(user);                          // 1: the app server, over HTTP
        var id = published.Str("id");
        var read = await phone.InvokeAsync("MarkRead", id);                    // 2: a device, over the hub
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"userActionState":"dismissed"}""")
            .ExpectAsync(200);                                                 // 3: the app server again
        await laptop.InvokeAsync("Delete", id);                                // 4: the other device

        foreach (var device in new[] { phone, laptop })
        {
            var changes = await ReceiveAsync(device, 4);
            Assert.Equal([1, 2, 3, 4], Sequences(changes));
            Assert.Equal(["created", "updated", "updated", "deleted"], changes.Select(c => c.Str("kind")));
            Assert.Equal("read", changes[1].GetProperty("notification").Str("readState"));
            Assert.Equal(read.GetRawText(), changes[1].GetProperty("notification").GetRawText());
            Assert.False(changes[3].TryGetProperty("notification", out _));
            Assert.False(await device.ReceivesChangeWithinAsync(TimeSpan.FromMilliseconds(200)), "a change arrived twice");
        }
    }

    [Fact]
    public async Task Registry_ForgetsClosedAndDroppedConnections()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var token = await app.UserTokenAsync(user);
        var closing = await ConnectAsync(token);
        var dropping = await ConnectAsync(token);
        await using var staying = await ConnectAsync(token);
        Assert.Equal(3, (await Grain(app, user).DescribeAsync()).Connections.Count);

        await closing.DisposeAsync();
        dropping.Abort();
        await Eventually.HoldsAsync(async () => (await Grain(app, user).DescribeAsync()).Connections.Count == 1, "The condition did not hold within 10 s.");
        await dropping.DisposeAsync();

        await app.PublishAsync(user);
        Assert.Equal(1, (await staying.NextChangeAsync()).GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task StaleConnections_NeverBlockTheOthers_AndAreForgotten()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var node = server.Services.GetRequiredService<HubChangeRelay>().LocalNode;
        await Grain(app, user).ConnectAsync(new LiveConnection("gone-without-a-word", node));
        await Grain(app, user).ConnectAsync(new LiveConnection("of-a-node-that-left", "another-node"));
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));

        await app.PublishAsync(user);

        Assert.Equal(1, (await device.NextChangeAsync()).GetProperty("sequence").GetInt64());
        var left = (await Grain(app, user).DescribeAsync()).Connections;
        Assert.Single(left);
        Assert.Equal(node, left[0].Node);
    }

    [Fact]
    public async Task ALiveChangeThatSkipsASequence_ClosesTheConnection_SoTheClientCatchesUp()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));
        await app.PublishAsync(user);
        Assert.Equal(1, (await device.NextChangeAsync()).GetProperty("sequence").GetInt64());

        // As if the change with sequence 2 had been lost on its way (a failed relay from another node).
        await RelayToTheOnlyConnectionAsync(app, user, sequence: 3);

        await device.Closed.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Hands the user's one connection a change with <paramref name="sequence"/>, past the grain, as a relay would.</summary>
    private async Task RelayToTheOnlyConnectionAsync(TestApp app, string user, long sequence)
    {
        var connection = Assert.Single((await Grain(app, user).DescribeAsync()).Connections);
        server.Services.GetRequiredService<HubChangeRelay>().Send(new UserKey(app.AppId, user), [connection],
            [new OrleansNotifications.Grains.Model.ChangeRecord(sequence, OrleansNotifications.Grains.Model.ChangeKind.Deleted, "x", DateTimeOffset.UtcNow, null)]);
    }

    [Fact]
    public async Task AFirstLiveChangeThatSkipsPastTheRegistrationPoint_ClosesTheConnection()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user);
        await using var device = await ConnectAsync(await app.UserTokenAsync(user)); // registered at sequence 1

        // Its first live change should be 2; 3 means 2 was lost on its way.
        await RelayToTheOnlyConnectionAsync(app, user, sequence: 3);

        await device.Closed.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Expiry_IsRelayedLive()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));
        var published = await app.PublishAsync(user, extra: $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddMinutes(5):O}\"");

        server.Clock.Advance(TimeSpan.FromMinutes(6));
        await server.Services.GetRequiredService<ReminderService>().PollOnceAsync();

        var changes = await ReceiveAsync(device, 2);
        Assert.Equal(["created", "expired"], changes.Select(c => c.Str("kind")));
        Assert.Equal(published.Str("id"), changes[1].Str("notificationId"));
    }

    [Fact]
    public async Task Sync_ReturnsTheSamePageAsGetChanges_LiveChangesIncluded()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user);
        await app.PublishAsync(user);
        var token = await app.UserTokenAsync(user);
        await using var device = await ConnectAsync(token);
        await app.PublishAsync(user);
        Assert.Equal(3, (await device.NextChangeAsync()).GetProperty("sequence").GetInt64());

        var page = await device.InvokeAsync("Sync", 0);
        Assert.Equal([1, 2, 3], Sequences(page.GetProperty("value").EnumerateArray()));
        Assert.Equal(3, page.GetProperty("nextSince").GetInt64());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
        var feed = await server.CreateClient().WithBearer(token).GetAsync("/v1/me/changes?since=0").ExpectAsync(200);
        Assert.Equal(feed.GetRawText(), page.GetRawText());

        var nothing = await device.InvokeAsync("Sync", 3);
        Assert.Equal(0, nothing.GetProperty("value").GetArrayLength());
        Assert.Equal(3, nothing.GetProperty("nextSince").GetInt64());
    }

    [Fact]
    public async Task Sync_PagesAsGetChangesDoesByDefault()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await Task.WhenAll(Enumerable.Range(0, 101).Select(_ => app.PublishAsync(user)));
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));

        var first = await device.InvokeAsync("Sync", 0);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), Sequences(first.GetProperty("value").EnumerateArray()));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        var rest = await device.InvokeAsync("Sync", first.GetProperty("nextSince").GetInt64());
        Assert.Equal([101], Sequences(rest.GetProperty("value").EnumerateArray()));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task HubErrors_StartWithACode()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));

        Assert.StartsWith("not_found", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("MarkRead", "nope"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("not_found", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("MarkUnread", "nope"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("not_found", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("Delete", "nope"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid_argument", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("SetUserActionState", "x", "asleep"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid_argument", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("Sync", -1))).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid_argument", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("Sync", "five"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid_argument", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("MarkRead", "a", "b"))).Message, StringComparison.Ordinal);
        Assert.StartsWith("not_found", (await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("NoSuchMethod"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkAllRead_WithOrWithoutAGroup()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: "\"groupName\":\"a\"");
        await app.PublishAsync(user, extra: "\"groupName\":\"b\"");
        await app.PublishAsync(user);
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));

        await device.InvokeAsync("MarkAllRead", "a");
        var first = await device.NextChangeAsync();
        Assert.Equal("a", first.GetProperty("notification").Str("groupName"));
        await device.InvokeAsync("MarkAllRead");
        var rest = await ReceiveAsync(device, 2);
        Assert.Equal([5, 6], Sequences(rest));
        await device.InvokeAsync("MarkAllRead");
        Assert.False(await device.ReceivesChangeWithinAsync(TimeSpan.FromMilliseconds(200)), "nothing unread: no change");

        var unread = await app.Client().GetAsync($"/v1/users/{user}/notifications?readState=unread").ExpectAsync(200);
        Assert.Equal(0, unread.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task AGrainWithLiveConnections_IsNotCollectedWhenIdle()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var token = await app.UserTokenAsync(user);
        await using var device = await ConnectAsync(token);
        var catalog = server.Services.GetRequiredService<GrainCatalog>();

        server.Clock.Advance(TimeSpan.FromMinutes(10));
        catalog.CollectIdle();
        await (await app.WithFreshTokenAsync()).PublishAsync(user);
        Assert.Equal(1, (await device.NextChangeAsync()).GetProperty("sequence").GetInt64());

        await device.DisposeAsync();
        await Eventually.HoldsAsync(async () => (await Grain(app, user).DescribeAsync()).Connections.Count == 0, "The condition did not hold within 10 s.");
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        // The grain's pump may still be winding down after that last call; the collector skips it then and takes it on a
        // later pass, as its timer would: poll.
        var grain = new GrainId(UserGrain.GrainTypeName, new UserKey(app.AppId, user).GrainKey);
        await Eventually.HoldsAsync(() =>
        {
            catalog.CollectIdle();
            return !catalog.IsActive(grain);
        }, "The condition did not hold within 10 s.");
    }

    [Fact]
    public async Task AGrainThatDeactivates_ClosesItsConnections_SoTheyReconnectInsteadOfMissingChanges()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await using var device = await ConnectAsync(await app.UserTokenAsync(user));
        var catalog = server.Services.GetRequiredService<GrainCatalog>();

        catalog.RequestDeactivation(new GrainId(UserGrain.GrainTypeName, new UserKey(app.AppId, user).GrainKey));

        await device.Closed.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Sync_AfterTheFeedWasPruned_SaysCursorExpired()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddHours(1):O}\"");
        await server.AdvanceAndPruneAsync(TimeSpan.FromDays(31));
        app = await app.WithFreshTokenAsync();

        await using var device = await ConnectAsync(await app.UserTokenAsync(user));
        var error = await Assert.ThrowsAsync<OrleansNotifications.Client.HubException>(() => device.InvokeAsync("Sync", 0));
        Assert.StartsWith("cursor_expired", error.Message, StringComparison.Ordinal);
        Assert.Contains("at sequence 2", error.Message, StringComparison.Ordinal);
    }
}
