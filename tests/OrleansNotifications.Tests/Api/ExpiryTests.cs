using OrleansNotifications.Grains.Model;
using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class ExpiryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private string InMinutes(int minutes) => $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddMinutes(minutes):O}\"";

    [Fact]
    public void ADraftExpires_ThirtyDaysAfterItsCreation_OrWhenAsked_NeverLater()
    {
        var created = new DateTimeOffset(2026, 12, 3, 8, 0, 0, 123, TimeSpan.Zero);
        NotificationDraft Asking(DateTimeOffset? expiration) =>
            new(null, null, null, null, Priority.Normal, null, expiration, new Payload("x", null), []);

        Assert.Equal(created.AddDays(30), Asking(null).ExpirationFor(created));
        Assert.Equal(created.AddDays(2), Asking(created.AddDays(2)).ExpirationFor(created));
        Assert.Equal(created.AddDays(30), Asking(created.AddDays(30).AddMinutes(4)).ExpirationFor(created));
    }

    [Fact]
    public async Task ExpiredNotification_VanishesFromReads_ThenTheReminderRecordsAnExpiredChange()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var shortLived = await app.PublishAsync(user, extra: InMinutes(5));
        var longLived = await app.PublishAsync(user, extra: InMinutes(60 * 24));

        server.Clock.Advance(TimeSpan.FromMinutes(6));

        await app.Client().GetAsync($"/v1/users/{user}/notifications/{shortLived.Str("id")}").ExpectProblemAsync(404);
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        Assert.Equal(longLived.Str("id"), Assert.Single(list.GetProperty("value").EnumerateArray()).Str("id"));
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{shortLived.Str("id")}", """{"readState":"read"}""").ExpectProblemAsync(404);

        await server.Services.GetRequiredService<ReminderService>().PollOnceAsync();
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=2").ExpectAsync(200);
        var expired = Assert.Single(feed.GetProperty("value").EnumerateArray());
        Assert.Equal("expired", expired.Str("kind"));
        Assert.Equal(shortLived.Str("id"), expired.Str("notificationId"));
        Assert.Equal(3, expired.Seq());
    }

    [Fact]
    public async Task Publish_AfterExpiry_WithTheSameAppNotificationId_CreatesANewNotification()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var first = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            $$$"""{"appNotificationId":"daily",{{{InMinutes(1)}}},"payload":{"rawContent":"x"}}""").ExpectAsync(201);

        server.Clock.Advance(TimeSpan.FromMinutes(2));
        var second = await app.Client().PostJsonAsync($"/v1/users/{user}/notifications",
            """{"appNotificationId":"daily","payload":{"rawContent":"x"}}""").ExpectAsync(201);

        Assert.NotEqual(first.Str("id"), second.Str("id"));
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes").ExpectAsync(200);
        Assert.Equal(["created", "expired", "created"], feed.GetProperty("value").EnumerateArray().Select(e => e.Str("kind")));
    }

    [Fact]
    public async Task ExpiryReminder_FiresOnlyWhenDue_AndFollowsTheNextExpiry()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: InMinutes(10));
        await app.PublishAsync(user, extra: InMinutes(20));
        var reminders = server.Services.GetRequiredService<ReminderService>();

        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await reminders.PollOnceAsync();
        var early = await app.Client().GetAsync($"/v1/users/{user}/changes?since=2").ExpectAsync(200);
        Assert.Equal(0, early.GetProperty("value").GetArrayLength());

        server.Clock.Advance(TimeSpan.FromMinutes(6));
        await reminders.PollOnceAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await reminders.PollOnceAsync();
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=2").ExpectAsync(200);
        Assert.Equal(["expired", "expired"], feed.GetProperty("value").EnumerateArray().Select(e => e.Str("kind")));
    }

    [Fact]
    public async Task ExpiryReminder_RescheduledBehindTheGrainsBack_IsRestoredOnItsNextFiring()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: InMinutes(10));
        await app.PublishAsync(user, extra: InMinutes(20));
        var reminders = server.Services.GetRequiredService<ReminderService>();
        server.Clock.Advance(TimeSpan.FromMinutes(11));
        await reminders.PollOnceAsync();

        // What the reminder service's retry path does after a failed delete: move the row to "soon" without asking the grain.
        var grain = new OrleansNotifications.Runtime.GrainId("user", $"{app.AppId}/{user}");
        await server.Services.GetRequiredService<IReminderTable>()
            .UpsertAsync(new ReminderEntry(grain, "expiry", server.Clock.GetUtcNow().AddSeconds(5)));
        server.Clock.Advance(TimeSpan.FromSeconds(6));
        await reminders.PollOnceAsync();

        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await reminders.PollOnceAsync();
        app = await app.WithFreshTokenAsync();
        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=2").ExpectAsync(200);
        Assert.Equal(["expired", "expired"], feed.GetProperty("value").EnumerateArray().Select(e => e.Str("kind")));
    }
}
