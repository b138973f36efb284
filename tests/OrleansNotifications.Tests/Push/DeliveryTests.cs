using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Push;

/// <summary>
/// The delivery policy end to end through the HTTP API: which subscriptions get what, retries with backoff and Retry-After
/// on the injected clock, the attempt limit, invalidation, expiry, collapse on replace and state sync.
/// </summary>
public sealed class DeliveryTests(PushServerFixture server) : IClassFixture<PushServerFixture>
{
    private ScriptedPushProvider Android => server.Providers[PlatformType.Android];

    private async Task<(TestApp App, string User, Dictionary<string, string> Subscriptions)> UserWithDevicesAsync(params string[] platforms)
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var ids = new Dictionary<string, string>();
        foreach (var platform in platforms)
        {
            var body = platform switch
            {
                "android" => $$"""{"platform":"android","pushToken":"fcm-{{Guid.NewGuid():N}}"}""",
                "ios" => $$"""{"platform":"ios","pushToken":"{{Guid.NewGuid():N}}{{Guid.NewGuid():N}}"}""",
                _ => WebPushBody(),
            };
            var created = await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", body).ExpectAsync(201);
            ids[platform] = created.Str("id");
        }

        return (app, user, ids);
    }

    private static string WebPushBody()
    {
        using var browser = BrowserSubscription.Create();
        var keys = $$"""{"p256dh":"{{Base64Url.EncodeToString(browser.PublicKey)}}","auth":"{{Base64Url.EncodeToString(browser.AuthSecret)}}"}""";
        return """{"platform":"webpush","webPush":{"endpoint":"http://127.0.0.1:9/push","keys":""" + keys + "}}";
    }

    private async Task<Dictionary<string, JsonElement>> DeliveriesAsync(TestApp app, string user, string notificationId)
    {
        var body = await app.Client().GetAsync($"/v1/users/{user}/notifications/{notificationId}/deliveries").ExpectAsync(200);
        return body.GetProperty("value").EnumerateArray().ToDictionary(d => d.Str("subscriptionId"));
    }

    /// <summary>Deliveries run after the publish is acknowledged: wait (bounded) until the subscription's row says so.</summary>
    private async Task<JsonElement> WaitForStatusAsync(TestApp app, string user, string notificationId, string subscriptionId, string status, int attempts)
    {
        JsonElement row = default;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(10))
        {
            if ((await DeliveriesAsync(app, user, notificationId)).TryGetValue(subscriptionId, out row)
                && row.Str("status") == status && row.GetProperty("attempts").GetInt32() == attempts)
            {
                return row;
            }
        }

        Assert.Fail($"Expected {status} after {attempts} attempts; last seen: {row}");
        return row;
    }

    private static List<PushMessage> SentTo(ScriptedPushProvider provider, string subscriptionId) =>
        [.. provider.Sent.Where(s => s.Subscription.Id == subscriptionId).Select(s => s.Message)];

    private Task FireDueRemindersAsync() => server.Services.GetRequiredService<ReminderService>().PollOnceAsync();

    [Fact]
    public async Task Publish_DeliversToTheSubscriptionsTheTargetPolicySelects_AndSkipsTheOthers()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android", "ios", "webpush");
        var published = await app.PublishAsync(user, "order-1", extra: "\"priority\":\"high\",\"targetPolicy\":{\"platformTypes\":[\"Android\"]}");
        var id = published.Str("id");

        var delivered = await WaitForStatusAsync(app, user, id, subs["android"], "delivered", 1);
        Assert.Equal("android", delivered.Str("platform"));
        Assert.Equal(JsonValueKind.Null, delivered.GetProperty("lastError").ValueKind);
        Assert.Equal(server.Clock.GetUtcNow().ToUnixTimeMilliseconds(), delivered.GetProperty("lastAttemptDateTime").GetDateTimeOffset().ToUnixTimeMilliseconds());
        var rows = await DeliveriesAsync(app, user, id);
        Assert.Equal("skipped", rows[subs["ios"]].Str("status"));
        Assert.Equal("skipped", rows[subs["webpush"]].Str("status"));
        Assert.Empty(SentTo(server.Providers[PlatformType.Ios], subs["ios"]));

        var message = Assert.Single(SentTo(Android, subs["android"]));
        Assert.Equal((PushMessageKind.Notification, ChangeKind.Created, id, 1L, "order-1", Priority.High),
            (message.Kind, message.ChangeKind, message.NotificationId, message.Sequence, message.CollapseKey, message.Priority));
        Assert.Equal(published.GetProperty("expirationDateTime").GetDateTimeOffset(), message.ExpiresAt);
    }

    [Fact]
    public async Task Publish_WithAnEmptyPlatformList_SkipsEveryPushSubscription_ButIsKept()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android", "ios");
        var published = await app.PublishAsync(user, extra: "\"targetPolicy\":{\"platformTypes\":[]}");

        var rows = await DeliveriesAsync(app, user, published.Str("id"));
        Assert.Equal(["skipped", "skipped"], subs.Values.Select(id => rows[id].Str("status")));
        Assert.Equal(0, published.GetProperty("targetPolicy").GetProperty("platformTypes").GetArrayLength());
        await app.Client().GetAsync($"/v1/users/{user}/notifications/{published.Str("id")}").ExpectAsync(200);
        Assert.Empty(SentTo(Android, subs["android"]));
    }

    [Fact]
    public async Task TransientFailure_IsRetriedWithBackoff_OnTheDurableReminder()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(PushOutcome.Retry("fcm 503"));
        var id = (await app.PublishAsync(user)).Str("id");
        var first = await WaitForStatusAsync(app, user, id, subs["android"], "pending", 1);
        Assert.Equal("fcm 503", first.Str("lastError"));

        // The first retry waits between half and all of the base delay (1 s): not before, surely after.
        server.Clock.Advance(TimeSpan.FromMilliseconds(400));
        await FireDueRemindersAsync();
        Assert.Single(SentTo(Android, subs["android"]));
        server.Clock.Advance(TimeSpan.FromMilliseconds(700));
        await FireDueRemindersAsync();
        await WaitForStatusAsync(app, user, id, subs["android"], "delivered", 2);
    }

    [Fact]
    public async Task RetryAfter_IsHonoured()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(PushOutcome.Retry("fcm 429", TimeSpan.FromSeconds(30)));
        var id = (await app.PublishAsync(user)).Str("id");
        await WaitForStatusAsync(app, user, id, subs["android"], "pending", 1);

        server.Clock.Advance(TimeSpan.FromSeconds(20));
        await FireDueRemindersAsync();
        Assert.Single(SentTo(Android, subs["android"]));
        server.Clock.Advance(TimeSpan.FromSeconds(11));
        await FireDueRemindersAsync();
        await WaitForStatusAsync(app, user, id, subs["android"], "delivered", 2);
    }

    [Fact]
    public async Task AttemptLimit_EndsInFailed()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(Enumerable.Repeat(PushOutcome.Retry("fcm 500"), PushServerFixture.MaxAttempts).ToArray());
        var id = (await app.PublishAsync(user)).Str("id");

        for (var attempt = 1; attempt < PushServerFixture.MaxAttempts; attempt++)
        {
            await WaitForStatusAsync(app, user, id, subs["android"], "pending", attempt);
            server.Clock.Advance(TimeSpan.FromMinutes(1));
            await FireDueRemindersAsync();
        }

        var failed = await WaitForStatusAsync(app, user, id, subs["android"], "failed", PushServerFixture.MaxAttempts);
        Assert.StartsWith($"gave up after {PushServerFixture.MaxAttempts} attempts", failed.Str("lastError"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidSubscription_IsMarkedInvalid_AndReceivesNothingMore()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(PushOutcome.Invalid("fcm 404 UNREGISTERED"));
        var id = (await app.PublishAsync(user)).Str("id");
        await WaitForStatusAsync(app, user, id, subs["android"], "failed", 1);

        var listed = await app.Client().GetAsync($"/v1/users/{user}/subscriptions").ExpectAsync(200);
        Assert.Equal("invalid", listed.GetProperty("value")[0].Str("status"));
        var next = (await app.PublishAsync(user)).Str("id");
        Assert.Empty(await DeliveriesAsync(app, user, next));
        Assert.Single(SentTo(Android, subs["android"]));
    }

    [Fact]
    public async Task ANotificationThatExpiresWhileRetrying_IsNeverDelivered()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(PushOutcome.Retry("fcm 503", TimeSpan.FromMinutes(4)));
        var id = (await app.PublishAsync(user, extra: $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddMinutes(5):O}\"")).Str("id");
        await WaitForStatusAsync(app, user, id, subs["android"], "pending", 1);

        // The provider asks for 4 minutes; backoff never schedules a retry past the expiry, and nothing is sent after it.
        Android.Answer(PushOutcome.Retry("fcm 503", TimeSpan.FromMinutes(2)));
        server.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(1));
        await FireDueRemindersAsync();
        await WaitForStatusAsync(app, user, id, subs["android"], "expired", 2);
        Assert.Equal(2, SentTo(Android, subs["android"]).Count);
    }

    [Fact]
    public async Task Replacement_CollapsesOntoThePendingDelivery_AndSendsTheNewContent()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android");
        Android.Answer(PushOutcome.Retry("fcm 503"));
        var id = (await app.PublishAsync(user, "score", title: "1-0")).Str("id");
        await WaitForStatusAsync(app, user, id, subs["android"], "pending", 1);

        var replaced = await app.PublishAsync(user, "score", title: "2-0");
        Assert.Equal(id, replaced.Str("id"));

        var delivered = await WaitForStatusAsync(app, user, id, subs["android"], "delivered", 1);
        Assert.Single(await DeliveriesAsync(app, user, id));
        var sent = SentTo(Android, subs["android"]);
        Assert.Equal(["1-0", "2-0"], sent.Select(m => m.Notification!.Payload.VisualContent!.Title));
        Assert.All(sent, m => Assert.Equal("score", m.CollapseKey));
        Assert.Equal(ChangeKind.Updated, sent[1].ChangeKind);
    }

    [Fact]
    public async Task StateSync_GoesOnlyToThePlatformsTheNotificationWasFor()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android", "ios");
        var id = (await app.PublishAsync(user, extra: "\"targetPolicy\":{\"platformTypes\":[\"android\"]}")).Str("id");
        await WaitForStatusAsync(app, user, id, subs["android"], "delivered", 1);

        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"readState":"read"}""").ExpectAsync(200);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); SentTo(Android, subs["android"]).Count < 2 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(10);
        }

        Assert.Equal([PushMessageKind.Notification, PushMessageKind.StateSync], SentTo(Android, subs["android"]).Select(m => m.Kind));
        var rows = await DeliveriesAsync(app, user, id);
        Assert.Equal("skipped", rows[subs["ios"]].Str("status"));
        Assert.Empty(SentTo(server.Providers[PlatformType.Ios], subs["ios"]));
    }

    [Fact]
    public async Task ReadAndDelete_SendSilentStateSyncToAndroidAndIos_NotToWebPush()
    {
        var (app, user, subs) = await UserWithDevicesAsync("android", "ios", "webpush");
        var id = (await app.PublishAsync(user)).Str("id");
        await WaitForStatusAsync(app, user, id, subs["ios"], "delivered", 1);

        async Task<List<PushMessage>> SentAsync(string platform, int count)
        {
            var provider = server.Providers[platform == "android" ? PlatformType.Android : PlatformType.Ios];
            for (var deadline = DateTime.UtcNow.AddSeconds(10); SentTo(provider, subs[platform]).Count < count && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(10);
            }

            return SentTo(provider, subs[platform]);
        }

        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"readState":"read"}""").ExpectAsync(200);
        foreach (var platform in new[] { "android", "ios" })
        {
            // A sync carries the notification as it is when sent: wait for it before the delete takes the notification away.
            var readSync = (await SentAsync(platform, 2)).Last();
            Assert.Equal((PushMessageKind.StateSync, ReadState.Read), (readSync.Kind, readSync.Notification!.ReadState));
        }

        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"userActionState":"snoozed"}""").ExpectAsync(200);
        await app.Client().DeleteAsync($"/v1/users/{user}/notifications/{id}").ExpectAsync(204);

        foreach (var platform in new[] { "android", "ios" })
        {
            var syncs = (await SentAsync(platform, 3)).Where(m => m.Kind == PushMessageKind.StateSync).ToList();
            // Read (sequence 2) and delete (sequence 4); snoozing is not "handled" and syncs nothing.
            Assert.Equal([(ChangeKind.Updated, 2L), (ChangeKind.Deleted, 4L)], syncs.Select(m => (m.ChangeKind, m.Sequence)));
        }

        Assert.DoesNotContain(server.Providers[PlatformType.WebPush].Sent, s => s.Message.Kind == PushMessageKind.StateSync);
    }

    [Fact]
    public async Task Deliveries_OfAnUnknownNotification_Is404()
    {
        var (app, user, _) = await UserWithDevicesAsync();
        await app.Client().GetAsync($"/v1/users/{user}/notifications/nope/deliveries").ExpectProblemAsync(404);
    }
}
