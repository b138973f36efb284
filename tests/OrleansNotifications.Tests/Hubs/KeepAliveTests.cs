using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Hubs;

public sealed class ShortKeepAliveServer : ServerFixture
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Notifications:HubKeepAliveInterval", Interval.ToString("c"))];
}

/// <summary>The hub's keep-alive pings (PacedKeepAlive): an idle connection gets them, a busy one does not need them.</summary>
public sealed class KeepAliveTests(ShortKeepAliveServer server) : IClassFixture<ShortKeepAliveServer>
{
    [Fact]
    public async Task AnIdleConnection_IsPingedOncePerInterval()
    {
        var app = await server.CreateAppAsync();
        await using var device = await HubClient.ConnectAsync(server.Server, await app.UserTokenAsync(TestApp.NewUserId()));
        var connected = DateTime.UtcNow;

        for (var deadline = connected.AddSeconds(20); device.PingsReceived < 2; await Task.Delay(20))
        {
            Assert.True(DateTime.UtcNow < deadline, $"pings received: {device.PingsReceived}");
        }

        // Two pings take 1.5 intervals at least: a ping needs half an interval of idleness, and pings are an interval apart.
        Assert.True(DateTime.UtcNow - connected >= 1.5 * ShortKeepAliveServer.Interval - TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task AConnectionThatIsSentChanges_IsNotPinged()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await using var device = await HubClient.ConnectAsync(server.Server, await app.UserTokenAsync(user));

        // A change every 100 ms for three intervals: the connection is never idle for one.
        var until = DateTime.UtcNow + 3 * ShortKeepAliveServer.Interval;
        for (var sequence = 1L; DateTime.UtcNow < until; sequence++)
        {
            await app.PublishAsync(user);
            Assert.Equal(sequence, (await device.NextChangeAsync()).GetProperty("sequence").GetInt64());
            await Task.Delay(100);
        }

        // At most one: a publish that a loaded machine holds up for a whole interval lets one through, as it should.
        Assert.InRange(device.PingsReceived, 0, 1);
    }
}
