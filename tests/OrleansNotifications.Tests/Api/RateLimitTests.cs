using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class TightRateLimitServer : ServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Notifications:RateLimit:PermitsPerSecond", "10"),
        new("Notifications:RateLimit:Burst", "5"),
    ];
}

public sealed class RateLimitTests(TightRateLimitServer server) : IClassFixture<TightRateLimitServer>
{
    [Fact]
    public async Task AnAppOverItsRate_Gets429WithRetryAfter_WhileOtherAppsAreServed()
    {
        var noisy = await server.CreateAppAsync();
        var quiet = await server.CreateAppAsync();
        var client = noisy.Client();

        // At once, so that even a slow machine cannot serve them as fast as the bucket refills (burst 5, then 10/s).
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => client.GetAsync("/v1/users/alice/notifications")));
        var limited = responses.FirstOrDefault(r => (int)r.StatusCode == 429);
        Assert.NotNull(limited);
        await limited.ExpectProblemAsync(429);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        await quiet.Client().GetAsync("/v1/users/alice/notifications").ExpectAsync(200);
    }
}
