using Microsoft.Extensions.Options;
using OrleansNotifications.Server.Hubs;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Hubs;

/// <summary>A server whose hub pings at <c>interval</c> (a <c>TimeSpan</c> in configuration form).</summary>
public class KeepAliveIntervalServer(string interval) : ServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Notifications:HubKeepAliveInterval", interval)];
}

public sealed class ShortKeepAliveServer() : KeepAliveIntervalServer(Interval.ToString("c"))
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
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

    [Fact]
    public async Task ALongPollingConnection_IsNotPinged_ItsPollsKeepItAlive()
    {
        var app = await server.CreateAppAsync();
        using var client = server.Server.CreateClient().WithBearer(await app.UserTokenAsync(TestApp.NewUserId()));
        var negotiated = await client.PostAsync("/hubs/notifications/negotiate?negotiateVersion=1", null).ExpectAsync(200);
        var url = $"/hubs/notifications?id={Uri.EscapeDataString(negotiated.Str("connectionToken"))}";
        Assert.Equal("", await client.GetStringAsync(url)); // the first poll only opens the transport
        (await client.PostAsync(url, new StringContent("{\"protocol\":\"json\",\"version\":1}\u001e"))).EnsureSuccessStatusCode();
        Assert.Equal("{}\u001e", await client.GetStringAsync(url)); // the handshake's answer

        // 2.5 intervals idle: a ping would end this poll (the server holds a poll up to 90 s when it has nothing to send).
        using var idle = new CancellationTokenSource(2.5 * ShortKeepAliveServer.Interval);
        var poll = await Record.ExceptionAsync(async () => await client.GetStringAsync(url, idle.Token));
        Assert.True(poll is OperationCanceledException, $"the poll ended with {poll?.GetType().Name ?? "a message"}");
    }

    [Theory]
    [InlineData("00:00:00.050")]
    [InlineData("02:00:00")]
    public void AnIntervalOutside100MsTo1Hour_FailsAtStartUp(string interval)
    {
        using var server = new KeepAliveIntervalServer(interval);
        var error = Assert.Throws<OptionsValidationException>(() => server.CreateClient());
        Assert.Contains("HubKeepAliveInterval", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9, 10, 9, 1)] // on time: the next slot
    [InlineData(10, 10, 10, 1)] // a timer a little fast still walks on
    [InlineData(10, 16, 10, 6)] // a stall of five ticks: the five missed slots and this tick's, at once
    [InlineData(10, 1000, 980, 20)] // a stall longer than the ring: every slot once, from the oldest due
    public void AfterAStall_TheMissedSlotsAreVisitedAtOnce_AtMostOneRing(long visited, long ticksElapsed, long first, long count)
    {
        Assert.Equal((first, count), PacedKeepAlive.SlotsDue(visited, ticksElapsed, slots: 20));
    }
}
