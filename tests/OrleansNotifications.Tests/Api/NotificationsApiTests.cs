using System.Globalization;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class NotificationsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Publish_Returns201WithLocationETagAndTheResource()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var response = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications", """
            { "appNotificationId": "order-1", "targetHostName": "shop.example", "groupName": "orders",
              "targetPolicy": { "platformTypes": ["Android", "IOS"] }, "priority": "HIGH", "displayTimeToLive": 60,
              "payload": { "rawContent": "{\"order\":1}", "visualContent": { "title": "Order shipped", "body": "Arrives Monday" } } }
            """);
        var body = await response.ExpectAsync(201);

        var id = body.Str("id");
        Assert.Equal($"/v1/users/{user}/notifications/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(1, body.Seq());
        Assert.Equal("order-1", body.Str("appNotificationId"));
        Assert.Equal("shop.example", body.Str("targetHostName"));
        Assert.Equal("orders", body.Str("groupName"));
        Assert.Equal(["android", "ios"], body.GetProperty("targetPolicy").GetProperty("platformTypes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("high", body.Str("priority"));
        Assert.Equal(60, body.GetProperty("displayTimeToLive").GetInt32());
        Assert.Equal("{\"order\":1}", body.GetProperty("payload").Str("rawContent"));
        Assert.Equal("Arrives Monday", body.GetProperty("payload").GetProperty("visualContent").Str("body"));
        Assert.Equal("unread", body.Str("readState"));
        Assert.Equal("noInteraction", body.Str("userActionState"));
        var created = DateTimeOffset.Parse(body.Str("createdDateTime"), CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse(body.Str("expirationDateTime"), CultureInfo.InvariantCulture);
        Assert.InRange(expires - created, TimeSpan.FromDays(30) - TimeSpan.FromSeconds(5), TimeSpan.FromDays(30));
        Assert.EndsWith("Z", body.Str("createdDateTime"), StringComparison.Ordinal);

        var fetched = await app.Client().GetAsync($"/v1/users/{user}/notifications/{id}");
        Assert.Equal(body.ToString(), (await fetched.ExpectAsync(200)).ToString());
        Assert.Equal("\"1\"", fetched.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Publish_WithOnlyRawContentOrOdataAnnotations_IsAccepted()
    {
        var app = await server.CreateAppAsync();
        await app.Client().PostJsonAsync($"/v1/users/{TestApp.NewUserId()}/notifications",
            """{ "@odata.type": "#microsoft.graph.notification", "payload": { "rawContent": "data only" } }""").ExpectAsync(201);
    }

    [Fact]
    public async Task Publish_SameAppNotificationIdWithNewContent_ReplacesInPlaceAndResetsState()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var first = await app.PublishAsync(user, "chat-7", title: "1 new message");
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{first.Str("id")}", """{"readState":"read","userActionState":"dismissed"}""").ExpectAsync(200);

        var response = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            """{ "appNotificationId": "chat-7", "payload": { "visualContent": { "title": "2 new messages" } } }""");
        var replaced = await response.ExpectAsync(200);

        Assert.Equal(first.Str("id"), replaced.Str("id"));
        Assert.Equal("2 new messages", replaced.GetProperty("payload").GetProperty("visualContent").Str("title"));
        Assert.Equal("unread", replaced.Str("readState"));
        Assert.Equal("noInteraction", replaced.Str("userActionState"));
        Assert.Equal(3, replaced.Seq());

        var changes = await app.Client().GetAsync($"/v1/users/{user}/changes?since=2").ExpectAsync(200);
        var change = Assert.Single(changes.GetProperty("value").EnumerateArray());
        Assert.Equal("updated", change.Str("kind"));
        Assert.Equal("2 new messages", change.GetProperty("notification").GetProperty("payload").GetProperty("visualContent").Str("title"));
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        Assert.Equal(1, list.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Publish_ExactRetry_Returns200AndChangesNothing()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        const string Body = """{ "appNotificationId": "retry-1", "payload": { "rawContent": "once" } }""";
        var first = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications", Body).ExpectAsync(201);
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{first.Str("id")}", """{"readState":"read"}""").ExpectAsync(200);

        // Same body, different whitespace: still the same request.
        var retry = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            """{"appNotificationId":"retry-1","payload":{"rawContent":"once"}}""").ExpectAsync(200);

        Assert.Equal(first.Str("id"), retry.Str("id"));
        Assert.Equal(2, retry.Seq());
        Assert.Equal("read", retry.Str("readState"));
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes").ExpectAsync(200);
        Assert.Equal(2, feed.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Publish_RetryDifferingOnlyInNestedOdataAnnotations_IsStillAnExactRetry()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var first = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            """{"appNotificationId":"a","payload":{"@odata.type":"#x","visualContent":{"title":"t","@odata.etag":"1"}}}""").ExpectAsync(201);
        var retry = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            """{"appNotificationId":"a","payload":{"visualContent":{"title":"t"}}}""").ExpectAsync(200);
        Assert.Equal(first.Seq(), retry.Seq());
    }

    [Fact]
    public async Task Patch_UpdatesStateWithNewSequence_AndHonoursIfMatch()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var id = (await app.PublishAsync(user)).Str("id");
        var url = $"/v1/users/{user}/notifications/{id}";

        await app.Client().PatchJsonAsync(url, """{"readState":"read"}""", ifMatch: "\"7\"").ExpectProblemAsync(412);
        var response = await app.Client().PatchJsonAsync(url, """{"readState":"READ"}""", ifMatch: "\"1\"");
        var read = await response.ExpectAsync(200);
        Assert.Equal("read", read.Str("readState"));
        Assert.Equal(2, read.Seq());
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);

        var unchanged = await app.Client().PatchJsonAsync(url, """{"readState":"read"}""").ExpectAsync(200);
        Assert.Equal(2, unchanged.Seq());

        var snoozed = await app.Client().PatchJsonAsync(url, """{"userActionState":"snoozed"}""", ifMatch: "*").ExpectAsync(200);
        Assert.Equal("snoozed", snoozed.Str("userActionState"));
        Assert.Equal("read", snoozed.Str("readState"));
        Assert.Equal(3, snoozed.Seq());

        // A list matches when any of its ETags is current (RFC 9110 §13.1.1); a weak one never does.
        await app.Client().PatchJsonAsync(url, """{"readState":"unread"}""", ifMatch: "\"1\", W/\"3\", \"2\"").ExpectProblemAsync(412);
        await app.Client().PatchJsonAsync(url, """{"readState":"unread"}""", ifMatch: "\"03\"").ExpectProblemAsync(412);
        var dismissed = await app.Client().PatchJsonAsync(url, """{"userActionState":"dismissed"}""", ifMatch: "\"1\", \"3\"").ExpectAsync(200);
        Assert.Equal(4, dismissed.Seq());
    }

    [Theory]
    [InlineData("""{}""", "body")]
    [InlineData("""{"readState":"seen"}""", "readState")]
    [InlineData("""{"userActionState":"clicked"}""", "userActionState")]
    [InlineData("""{"readState":"read","title":"x"}""", "title")]
    [InlineData("""{"readState":1}""", "readState")]
    public async Task Patch_WithInvalidBody_Returns400NamingTheField(string body, string field)
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var id = (await app.PublishAsync(user)).Str("id");
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", body).ExpectProblemAsync(400, field);
    }

    [Fact]
    public async Task Patch_OrDeleteUnknownNotification_Returns404()
    {
        var app = await server.CreateAppAsync();
        await app.Client().PatchJsonAsync($"/v1/users/{TestApp.NewUserId()}/notifications/nope", """{"readState":"read"}""").ExpectProblemAsync(404);
        await app.Client().DeleteAsync($"/v1/users/{TestApp.NewUserId()}/notifications/nope").ExpectProblemAsync(404);
        await app.Client().GetAsync($"/v1/users/{TestApp.NewUserId()}/notifications/nope").ExpectProblemAsync(404);
    }

    [Fact]
    public async Task Delete_RemovesTheNotificationAndRecordsADeletedChange()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var id = (await app.PublishAsync(user)).Str("id");
        await app.Client().DeleteAsync($"/v1/users/{user}/notifications/{id}").ExpectAsync(204);
        await app.Client().GetAsync($"/v1/users/{user}/notifications/{id}").ExpectProblemAsync(404);
        await app.Client().DeleteAsync($"/v1/users/{user}/notifications/{id}").ExpectProblemAsync(404);

        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=1").ExpectAsync(200);
        var deleted = Assert.Single(feed.GetProperty("value").EnumerateArray());
        Assert.Equal("deleted", deleted.Str("kind"));
        Assert.Equal(id, deleted.Str("notificationId"));
        Assert.False(deleted.TryGetProperty("notification", out _));
    }

    [Fact]
    public async Task DeleteGroup_RemovesOnlyThatGroup()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: "\"groupName\":\"promo\"");
        await app.PublishAsync(user, extra: "\"groupName\":\"promo\"");
        var kept = await app.PublishAsync(user, extra: "\"groupName\":\"orders\"");

        await app.Client().DeleteAsync($"/v1/users/{user}/notifications?groupName=promo").ExpectAsync(204);
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        Assert.Equal(kept.Str("id"), Assert.Single(list.GetProperty("value").EnumerateArray()).Str("id"));
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=3").ExpectAsync(200);
        Assert.Equal(["deleted", "deleted"], feed.GetProperty("value").EnumerateArray().Select(c => c.Str("kind")));

        await app.Client().DeleteAsync($"/v1/users/{user}/notifications").ExpectProblemAsync(400, "groupName");
    }

    [Fact]
    public async Task AnAppNotificationId_WithAControlCharacter_IsKeptExactly()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        const string body = """{"appNotificationId":"a\u0000b","payload":{"visualContent":{"title":"t"}}}""";
        var first = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications", body).ExpectAsync(201);
        Assert.Equal("a\0b", first.Str("appNotificationId"));
        Assert.Equal(first.Str("id"), (await app.Client().PostJsonAsync($"/v1/users/{user}/notifications", body).ExpectAsync(200)).Str("id"));

        var other = await app.PublishAsync(user, appNotificationId: "a");
        Assert.NotEqual(first.Str("id"), other.Str("id"));
    }

    [Fact]
    public async Task AGroupName_WithAControlCharacter_IsItsOwnGroup()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var kept = await app.PublishAsync(user, extra: "\"groupName\":\"a\"");
        await app.PublishAsync(user, extra: "\"groupName\":\"a\\u0000b\"");
        await app.Client().DeleteAsync($"/v1/users/{user}/notifications?groupName=a%00b").ExpectAsync(204);
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        Assert.Equal(kept.Str("id"), Assert.Single(list.GetProperty("value").EnumerateArray()).Str("id"));
    }

    [Fact]
    public async Task List_IsNewestFirst_AndPagesWithNextLink()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var published = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            published.Add((await app.PublishAsync(user, title: $"n{i}")).Str("id"));
        }

        var seen = new List<string>();
        string? url = $"/v1/users/{user}/notifications?top=2";
        var pages = 0;
        while (url is not null)
        {
            var page = await app.Client().GetAsync(url).ExpectAsync(200);
            seen.AddRange(page.GetProperty("value").EnumerateArray().Select(n => n.Str("id")));
            url = page.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            Assert.True(url is null || Uri.IsWellFormedUriString(url, UriKind.Absolute), url);
            Assert.True(url is null || url.Contains("top=2", StringComparison.Ordinal), url);
            pages++;
        }

        Assert.Equal(3, pages);
        published.Reverse();
        Assert.Equal(published, seen);
    }

    [Fact]
    public async Task List_NextLink_ReplacesASkipTokenSentInAnotherCase()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        for (var i = 0; i < 3; i++)
        {
            await app.PublishAsync(user);
        }

        var first = await app.Client().GetAsync($"/v1/users/{user}/notifications?top=1").ExpectAsync(200);
        var second = first.Str("@odata.nextLink").Replace("skipToken=", "SkipToken=", StringComparison.Ordinal);
        var page = await app.Client().GetAsync(second).ExpectAsync(200);
        var third = page.Str("@odata.nextLink");
        Assert.Single(third.Split('&'), part => part.StartsWith("skipToken=", StringComparison.OrdinalIgnoreCase));
        await app.Client().GetAsync(third).ExpectAsync(200);
    }

    [Fact]
    public async Task List_AReplacedNotificationMovesToTheTop()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var old = await app.PublishAsync(user, "digest", title: "v1");
        await app.PublishAsync(user, title: "other");
        await app.PublishAsync(user, "digest", title: "v2");
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        Assert.Equal(old.Str("id"), list.GetProperty("value")[0].Str("id"));
    }

    [Fact]
    public async Task List_FiltersByReadStateUserActionStateAndGroup()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var a = await app.PublishAsync(user, extra: "\"groupName\":\"g1\"");
        var b = await app.PublishAsync(user, extra: "\"groupName\":\"g2\"");
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{a.Str("id")}", """{"readState":"read","userActionState":"dismissed"}""").ExpectAsync(200);

        async Task<string[]> Ids(string query) =>
            (await app.Client().GetAsync($"/v1/users/{user}/notifications?{query}").ExpectAsync(200))
                .GetProperty("value").EnumerateArray().Select(n => n.Str("id")).ToArray();

        Assert.Equal([a.Str("id")], await Ids("readState=read"));
        Assert.Equal([b.Str("id")], await Ids("readState=unread"));
        Assert.Equal([a.Str("id")], await Ids("userActionState=dismissed"));
        Assert.Equal([b.Str("id")], await Ids("groupName=g2"));
        Assert.Empty(await Ids("groupName=g2&readState=read"));
    }

    [Theory]
    [InlineData("top=0", "top")]
    [InlineData("top=1001", "top")]
    [InlineData("top=ten", "top")]
    [InlineData("readState=seen", "readState")]
    [InlineData("userActionState=x", "userActionState")]
    [InlineData("skipToken=not-ours", "skipToken")]
    public async Task List_WithInvalidQuery_Returns400(string query, string field)
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync($"/v1/users/{TestApp.NewUserId()}/notifications?{query}").ExpectProblemAsync(400, field);
    }

    [Theory]
    [InlineData("has%20space")]
    [InlineData("a%2Fb")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678")]
    public async Task Routes_WithMalformedUserId_Return400(string userId)
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync($"/v1/users/{userId}/notifications").ExpectProblemAsync(400, "userId");
    }

    [Fact]
    public async Task PublishBySubscriptionId_ReachesTheSubscriptionsOwner()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var subscription = await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions",
            """{"platform":"android","pushToken":"fcm-token-1"}""").ExpectAsync(201);

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/notifications") { Content = Http.Json("""{"payload":{"rawContent":"hi"}}""") };
        request.Headers.Add("X-UNS-ID", subscription.Str("id"));
        var response = await app.Client().SendAsync(request);
        var published = await response.ExpectAsync(201);
        Assert.StartsWith($"/v1/users/{user}/notifications/", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        await app.Client().GetAsync($"/v1/users/{user}/notifications/{published.Str("id")}").ExpectAsync(200);

        var other = await server.CreateAppAsync();
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/v1/notifications") { Content = Http.Json("""{"payload":{"rawContent":"hi"}}""") };
        foreign.Headers.Add("X-UNS-ID", subscription.Str("id"));
        await other.Client().SendAsync(foreign).ExpectProblemAsync(404);

        var unknown = new HttpRequestMessage(HttpMethod.Post, "/v1/notifications") { Content = Http.Json("""{"payload":{"rawContent":"hi"}}""") };
        unknown.Headers.Add("X-UNS-ID", "no-such-subscription");
        await app.Client().SendAsync(unknown).ExpectProblemAsync(404);

        await app.Client().PostJsonAsync("/v1/notifications", """{"payload":{"rawContent":"hi"}}""").ExpectProblemAsync(400, "X-UNS-ID");
    }

    [Fact]
    public async Task ConcurrentPublishes_ToOneUser_GetDistinctGapFreeSequences()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var client = app.Client();
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            client.PostJsonAsync($"/v1/users/{user}/notifications", $$$"""{"payload":{"rawContent":"{{{i}}}"}}""").ExpectAsync(201)));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), results.Select(r => r.Seq()).Order());
    }
}
