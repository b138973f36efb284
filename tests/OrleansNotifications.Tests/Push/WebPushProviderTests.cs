using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push;
using OrleansNotifications.Push.WebPush;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Push;

public sealed class WebPushProviderTests(FakePushService service) : IClassFixture<FakePushService>, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _http = new();
    private readonly BrowserSubscription _browser = BrowserSubscription.Create();
    private readonly AppPushCredentials _credentials = new(null, null, TestVapid.CreateCredentials());

    [Fact]
    public async Task Send_PostsTheEncryptedChangeEntry_WithWebPushAndVapidHeaders()
    {
        var endpoint = service.Endpoint(201);
        var message = Message(Notification("hello"), collapseKey: "order-42", Priority.High);

        var outcome = await Provider().SendAsync(_browser.For(endpoint), message, _credentials, CancellationToken.None);

        Assert.Equal(PushOutcome.Delivered, outcome);
        var request = service.Received(endpoint);
        Assert.Equal("POST", request.Method);
        Assert.Equal("3600", request.Headers["ttl"]);
        Assert.Equal("high", request.Headers["urgency"]);
        Assert.Matches("^[A-Za-z0-9_-]{32}$", request.Headers["topic"]);
        Assert.Equal(WebPushProvider.TopicOf("order-42"), request.Headers["topic"]);
        Assert.Equal("aes128gcm", request.Headers["content-encoding"]);
        Assert.Equal("application/octet-stream", request.Headers["content-type"]);
        var claims = TestVapid.VerifiedClaims(request.Headers["authorization"], _credentials.WebPush!.VapidPublicKey);
        Assert.Equal(service.BaseAddress.ToString().TrimEnd('/'), claims.GetProperty("aud").GetString());

        var entry = JsonDocument.Parse(_browser.Decrypt(request.Body)).RootElement;
        Assert.Equal("created", entry.GetProperty("kind").GetString());
        Assert.Equal("n-1", entry.GetProperty("notificationId").GetString());
        Assert.Equal(9, entry.GetProperty("sequence").GetInt64());
        Assert.Equal("hello", entry.GetProperty("notification").GetProperty("payload").GetProperty("rawContent").GetString());
        Assert.Equal("n-1", entry.GetProperty("notification").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(Priority.Normal, "normal")]
    [InlineData(Priority.Low, "low")]
    public async Task Send_WithoutCollapseKey_HasNoTopic_AndMapsUrgency(Priority priority, string urgency)
    {
        var endpoint = service.Endpoint(201);

        await Provider().SendAsync(_browser.For(endpoint), Message(Notification("x"), null, priority), _credentials, CancellationToken.None);

        var request = service.Received(endpoint);
        Assert.Equal(urgency, request.Headers["urgency"]);
        Assert.False(request.Headers.ContainsKey("topic"));
    }

    [Fact]
    public async Task Send_ARawContentTooLargeForOneBody_IsLeftOut_AndTheRestArrives()
    {
        var endpoint = service.Endpoint(201);

        var outcome = await Provider().SendAsync(
            _browser.For(endpoint), Message(Notification(new string('x', 4000)), null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(PushOutcome.Delivered, outcome);
        var body = service.Received(endpoint).Body;
        Assert.True(body.Length <= 4096, $"{body.Length} bytes");
        var notification = JsonDocument.Parse(_browser.Decrypt(body)).RootElement.GetProperty("notification");
        Assert.False(notification.GetProperty("payload").TryGetProperty("rawContent", out _));
        Assert.Equal("Title", notification.GetProperty("payload").GetProperty("visualContent").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Send_TheLargestNotification_LeavesRawContentOut_AndShortensTheBodyToFit()
    {
        var endpoint = service.Endpoint(201);
        var largest = Notification(new string('x', 4096)) with
        {
            Payload = new Payload(new string('x', 4096), new VisualContent(new string('T', 256), PushTestData.LargestBody)),
        };

        var outcome = await Provider().SendAsync(_browser.For(endpoint), Message(largest, null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(PushOutcome.Delivered, outcome);
        var payload = JsonDocument.Parse(_browser.Decrypt(service.Received(endpoint).Body)).RootElement.GetProperty("notification").GetProperty("payload");
        Assert.False(payload.TryGetProperty("rawContent", out _));
        Assert.Equal(new string('T', 256), payload.GetProperty("visualContent").GetProperty("title").GetString());
        var body = payload.GetProperty("visualContent").GetProperty("body").GetString()!;
        Assert.EndsWith("…", body, StringComparison.Ordinal);
        Assert.StartsWith(body[..^1], PushTestData.LargestBody, StringComparison.Ordinal);
        Assert.InRange(body.Length, 1000, PushTestData.LargestBody.Length - 1);
    }

    [Fact]
    public async Task Send_AStateSync_CarriesTheEntryWithoutNotification()
    {
        var endpoint = service.Endpoint(201);
        var message = new PushMessage(PushMessageKind.StateSync, ChangeKind.Deleted, "n-1", 10, null, null, Priority.Normal, Now.AddHours(1));

        await Provider().SendAsync(_browser.For(endpoint), message, _credentials, CancellationToken.None);

        var entry = JsonDocument.Parse(_browser.Decrypt(service.Received(endpoint).Body)).RootElement;
        Assert.Equal("deleted", entry.GetProperty("kind").GetString());
        Assert.Equal(10, entry.GetProperty("sequence").GetInt64());
        Assert.False(entry.TryGetProperty("notification", out _));
    }

    [Theory]
    [InlineData(201, PushOutcomeKind.Delivered)]
    [InlineData(202, PushOutcomeKind.Delivered)]
    [InlineData(410, PushOutcomeKind.Invalid)]
    [InlineData(404, PushOutcomeKind.Invalid)]
    [InlineData(503, PushOutcomeKind.Retry)]
    [InlineData(500, PushOutcomeKind.Retry)]
    [InlineData(400, PushOutcomeKind.Failed)]
    [InlineData(413, PushOutcomeKind.Failed)]
    public async Task Send_ClassifiesThePushServiceStatus(int status, PushOutcomeKind expected)
    {
        var outcome = await Provider().SendAsync(
            _browser.For(service.Endpoint(status, body: "reason text")), Message(Notification("x"), null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(expected, outcome.Kind);
        if (expected == PushOutcomeKind.Failed)
        {
            Assert.Contains($"{status}", outcome.Error, StringComparison.Ordinal);
            Assert.Contains("reason text", outcome.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_Answered429WithRetryAfter_RetriesAfterThatDelay()
    {
        var outcome = await Provider().SendAsync(
            _browser.For(service.Endpoint(429, retryAfter: "7")), Message(Notification("x"), null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(PushOutcomeKind.Retry, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), outcome.RetryAfter);
    }

    [Fact]
    public async Task Send_Answered503WithRetryAfterDate_RetriesAfterTheTimeUntilThen()
    {
        var retryAfter = Now.AddSeconds(30).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        var outcome = await Provider().SendAsync(
            _browser.For(service.Endpoint(503, retryAfter)), Message(Notification("x"), null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(PushOutcomeKind.Retry, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), outcome.RetryAfter);
    }

    [Fact]
    public async Task Send_ToAPortNobodyListensOn_Retries()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var outcome = await Provider().SendAsync(
            _browser.For($"http://127.0.0.1:{port}/push/1"), Message(Notification("x"), null, Priority.Normal), _credentials, CancellationToken.None);

        Assert.Equal(PushOutcomeKind.Retry, outcome.Kind);
    }

    [Fact]
    public async Task Send_WithoutWebPushCredentials_FailsWithoutARequest()
    {
        var endpoint = service.Endpoint(201);

        var outcome = await Provider().SendAsync(
            _browser.For(endpoint), Message(Notification("x"), null, Priority.Normal), new AppPushCredentials(null, null, null), CancellationToken.None);

        Assert.Equal(PushOutcome.Failed("web push credentials are not configured"), outcome);
        Assert.Throws<KeyNotFoundException>(() => service.Received(endpoint));
    }

    public void Dispose()
    {
        _http.Dispose();
        _browser.Dispose();
    }

    private WebPushProvider Provider() => new(_http, new ManualTimeProvider(Now), Options.Create(new PushOptions()));

    private static PushMessage Message(Notification notification, string? collapseKey, Priority priority) =>
        new(PushMessageKind.Notification, ChangeKind.Created, notification.Id, 9, notification, collapseKey, priority, Now.AddHours(1));

    private static Notification Notification(string rawContent) => new()
    {
        Id = "n-1",
        Priority = Priority.Normal,
        ExpirationDateTime = Now.AddHours(1),
        Payload = new Payload(rawContent, new VisualContent("Title", "Body")),
        CreatedDateTime = Now,
        LastModifiedDateTime = Now,
        Sequence = 9,
    };
}
