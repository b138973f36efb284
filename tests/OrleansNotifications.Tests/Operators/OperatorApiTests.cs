using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Operators;

/// <summary><c>GET /metrics</c>, <c>GET /v1/admin/cluster</c> and the user lookup: admin only, and what they say is true.</summary>
public sealed class OperatorApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static readonly TheoryData<string> AdminReads = new()
    {
        "/metrics",
        "/v1/admin/cluster",
        "/v1/admin/apps/some-app/users/alice",
    };

    [Theory]
    [MemberData(nameof(AdminReads))]
    public async Task OperatorRoutes_RefuseEveryoneButTheAdminKey(string path)
    {
        var app = await server.CreateAppAsync();
        await server.Anonymous().GetAsync(path).ExpectProblemAsync(401);
        await server.CreateClient().WithBearer("not-the-admin-key").GetAsync(path).ExpectProblemAsync(401);
        await app.Client().GetAsync(path).ExpectProblemAsync(401);
        await (await app.UserClientAsync("alice")).GetAsync(path).ExpectProblemAsync(401);
        Assert.True((await server.Admin().GetAsync(path.Replace("some-app", app.AppId, StringComparison.Ordinal))).IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    [InlineData("/Dashboard/index.html")]
    public async Task Dashboard_AnswersLikeAnOperatorRoute_WithThePageAsTheBodyEitherWay(string path)
    {
        foreach (var client in new[] { server.Anonymous(), server.CreateClient().WithBearer("not-the-admin-key") })
        {
            var refused = await client.GetAsync(path);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.StartsWith("Bearer", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("/dashboard/dashboard.js", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var page = await server.Admin().GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/dashboard/dashboard.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Anonymous().GetAsync("/dashboard/dashboard.js")).StatusCode);
    }

    [Fact]
    public async Task TheNodesOwnRoutes_AreHiddenFromAnyoneWithoutTheClusterSecret()
    {
        await server.Admin().GetAsync("/internal/activity").ExpectAsync(404);
    }

    [Fact]
    public async Task Metrics_CountPublishesAndRequests_InPrometheusText()
    {
        var app = await server.CreateAppAsync();
        string Sample(string text, string prefix) => text.Split('\n').Single(l => l.StartsWith(prefix + " ", StringComparison.Ordinal) || l.StartsWith(prefix + "{", StringComparison.Ordinal));
        static double ValueOf(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        var before = await server.Admin().GetStringAsync("/metrics");
        for (var i = 0; i < 3; i++)
        {
            await app.PublishAsync(TestApp.NewUserId());
        }

        var response = await server.Admin().GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var after = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE notifications_publish_duration_seconds histogram", after);
        var count = "notifications_publish_duration_seconds_count";
        Assert.Equal(3, ValueOf(Sample(after, count)) - (before.Contains(count, StringComparison.Ordinal) ? ValueOf(Sample(before, count)) : 0));
        Assert.Contains("notifications_changes_total{notifications_change_kind=\"created\"}", after);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", after);
        Assert.Contains("notifications_grain_activations{notifications_grain_type=\"user\"}", after);
        Assert.Contains("# TYPE notifications_hub_connections gauge", after);
        Assert.Contains("notifications_push_pending{notifications_push_state=\"waiting\"}", after);
    }

    [Fact]
    public async Task Cluster_DescribesThisNode_WithRatesLatencyStorageAndPending()
    {
        var app = await server.CreateAppAsync();
        await app.PublishAsync(TestApp.NewUserId());
        var cluster = await server.Admin().GetAsync("/v1/admin/cluster").ExpectAsync(200);
        var node = Assert.Single(cluster.GetProperty("nodes").EnumerateArray());
        Assert.Equal("active", node.Str("status"));
        Assert.Equal(cluster.Str("node"), node.Str("name"));
        var activity = node.GetProperty("activity");
        Assert.True(activity.GetProperty("totals").GetProperty("publishes").GetInt64() >= 1);
        Assert.True(activity.GetProperty("activations").GetProperty("user").GetInt32() >= 1);
        Assert.True(activity.GetProperty("latency").GetProperty("publish").GetProperty("count").GetInt64() >= 1);
        Assert.Equal("healthy", cluster.GetProperty("storage").Str("status"));
        Assert.True(cluster.GetProperty("pendingDeliveries").GetProperty("waiting").GetInt64() >= 0);
        Assert.True(cluster.GetProperty("rates").GetProperty("publishes").GetDouble() > 0);
    }

    [Fact]
    public async Task UserLookup_ShowsTheGrain_CountsByState_AndErrors()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var first = await app.PublishAsync(user);
        var second = await app.PublishAsync(user);
        await app.PublishAsync(user);
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{first.Str("id")}", """{"readState":"read","userActionState":"dismissed"}""").ExpectAsync(200);
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{second.Str("id")}", """{"userActionState":"snoozed"}""").ExpectAsync(200);

        var found = await server.Admin().GetAsync($"/v1/admin/apps/{app.AppId}/users/{user}").ExpectAsync(200);
        Assert.Equal(5, found.GetProperty("grain").GetProperty("sequence").GetInt64());
        Assert.Equal(0, found.GetProperty("grain").GetProperty("liveConnections").GetInt32());
        var counts = found.GetProperty("notifications");
        Assert.Equal((3, 2, 1, 1, 1, 1), (counts.GetProperty("total").GetInt32(), counts.GetProperty("unread").GetInt32(), counts.GetProperty("read").GetInt32(),
            counts.GetProperty("dismissed").GetInt32(), counts.GetProperty("snoozed").GetInt32(), counts.GetProperty("noInteraction").GetInt32()));
        Assert.Empty(found.GetProperty("subscriptions").EnumerateArray());

        await server.Admin().GetAsync($"/v1/admin/apps/no-such-app/users/{user}").ExpectProblemAsync(404);
        await server.Admin().GetAsync($"/v1/admin/apps/{app.AppId}/users/{new string('x', 300)}").ExpectProblemAsync(400, "userId");
    }
}
