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

        HttpResponseMessage? limited = null;
        for (var i = 0; i < 50 && limited is null; i++)
        {
            var response = await client.GetAsync("/v1/users/alice/notifications");
            if ((int)response.StatusCode == 429)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        await limited.ExpectProblemAsync(429);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        await quiet.Client().GetAsync("/v1/users/alice/notifications").ExpectAsync(200);
    }
}
