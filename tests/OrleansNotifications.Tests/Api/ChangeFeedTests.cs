using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class ChangeFeedTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Changes_AreGapFreeAndOrdered_AcrossEveryKindOfChange()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var client = app.Client();
        var a = await app.PublishAsync(user, "a");
        var b = await app.PublishAsync(user);
        await client.PatchJsonAsync($"/v1/users/{user}/notifications/{a.Str("id")}", """{"readState":"read"}""").ExpectAsync(200);
        await app.PublishAsync(user, "a", title: "replaced");
        await client.DeleteAsync($"/v1/users/{user}/notifications/{b.Str("id")}").ExpectAsync(204);

        var feed = await client.GetAsync($"/v1/users/{user}/changes?since=0").ExpectAsync(200);
        var entries = feed.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Seq()));
        Assert.Equal(["created", "created", "updated", "updated", "deleted"], entries.Select(e => e.Str("kind")));
        Assert.Equal(5, feed.GetProperty("nextSince").GetInt64());
        Assert.False(feed.GetProperty("hasMore").GetBoolean());
        Assert.Equal(3, entries[2].GetProperty("notification").Seq());
        Assert.Equal("read", entries[2].GetProperty("notification").Str("readState"));
        Assert.All(entries, e => Assert.EndsWith("Z", e.Str("occurredDateTime"), StringComparison.Ordinal));

        var device = await app.UserClientAsync(user);
        var mine = await device.GetAsync("/v1/me/changes?since=3").ExpectAsync(200);
        Assert.Equal([4L, 5], mine.GetProperty("value").EnumerateArray().Select(e => e.Seq()));
    }

    [Fact]
    public async Task Changes_PageWithTopAndNextSince()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        for (var i = 0; i < 5; i++)
        {
            await app.PublishAsync(user);
        }

        var first = await app.Client().GetAsync($"/v1/users/{user}/changes?since=0&top=2").ExpectAsync(200);
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.Equal(2, first.GetProperty("nextSince").GetInt64());
        var rest = await app.Client().GetAsync($"/v1/users/{user}/changes?since=4&top=2").ExpectAsync(200);
        Assert.False(rest.GetProperty("hasMore").GetBoolean());
        Assert.Equal([5L], rest.GetProperty("value").EnumerateArray().Select(e => e.Seq()));
        var caughtUp = await app.Client().GetAsync($"/v1/users/{user}/changes?since=5").ExpectAsync(200);
        Assert.Equal(0, caughtUp.GetProperty("value").GetArrayLength());
        Assert.Equal(5, caughtUp.GetProperty("nextSince").GetInt64());
    }

    [Theory]
    [InlineData("since=-1", "since")]
    [InlineData("since=abc", "since")]
    [InlineData("top=0", "top")]
    [InlineData("top=1001", "top")]
    public async Task Changes_WithInvalidQuery_Returns400(string query, string field)
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync($"/v1/users/{TestApp.NewUserId()}/changes?{query}").ExpectProblemAsync(400, field);
    }

    [Fact]
    public async Task Changes_OlderThanRetention_AnswerCursorExpiredWithTheSequenceToResumeFrom()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.PublishAsync(user, extra: $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddHours(1):O}\"");
        await app.PublishAsync(user, extra: $"\"expirationDateTime\":\"{server.Clock.GetUtcNow().AddHours(1):O}\"");

        await server.AdvanceAndPruneAsync(TimeSpan.FromDays(31));
        app = await app.WithFreshTokenAsync();

        var gone = await app.Client().GetAsync($"/v1/users/{user}/changes?since=0").ExpectProblemAsync(410);
        Assert.EndsWith("cursor-expired", gone.Str("type"), StringComparison.Ordinal);
        var resumeFrom = gone.GetProperty("sequence").GetInt64();
        Assert.Equal(4, resumeFrom); // 2 created + 2 expired

        var current = await app.Client().GetAsync($"/v1/users/{user}/changes?since={resumeFrom}").ExpectAsync(200);
        Assert.Equal(0, current.GetProperty("value").GetArrayLength());
    }
}
