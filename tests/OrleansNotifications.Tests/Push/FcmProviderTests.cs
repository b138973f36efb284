using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push;
using OrleansNotifications.Push.Fcm;
using OrleansNotifications.Tests.Infrastructure;
using static OrleansNotifications.Tests.Push.PushTestData;

namespace OrleansNotifications.Tests.Push;

public sealed class FcmProviderTests : IAsyncLifetime
{
    private const string RegistrationToken = "fcm-registration-token-1";

    private readonly HttpClient _http = new();
    private readonly ManualTimeProvider _time = new(Now);
    private FakeFcm _fcm = null!;

    private AppPushCredentials Credentials => new(new FcmCredentials(_fcm.ServiceAccountJson), null, null);

    public async Task InitializeAsync() => _fcm = await FakeFcm.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fcm.DisposeAsync();
    }

    [Fact]
    public async Task HighPriorityNotification_UsesOneTokenExchange_AndMapsToAndroidMessage()
    {
        var provider = Provider(_fcm.BaseUrl);
        var message = Show(Notification(Priority.High, new VisualContent("Order shipped", "Tap to track")));

        var first = await Send(provider, message);
        _time.Advance(TimeSpan.FromMinutes(10));
        var second = await Send(provider, message);

        Assert.Equal(PushOutcome.Delivered, first);
        Assert.Equal(PushOutcome.Delivered, second);
        Assert.Empty(_fcm.Problems);
        Assert.Equal(1, _fcm.TokenRequests);
        var sent = _fcm.Messages.ToArray();
        AssertJson("""
            {"message":{"token":"fcm-registration-token-1",
              "android":{"priority":"HIGH","ttl":"5400s","collapse_key":"order-42"},
              "data":{"kind":"created","notificationId":"n-1","sequence":"7","rawContent":"{\"order\":42}"},
              "notification":{"title":"Order shipped","body":"Tap to track"}}}
            """, sent[0]);
        Assert.Equal("4800s", sent[1]["message"]!["android"]!["ttl"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheLargestNotification_LeavesRawContentOut_AndShortensTheBodyToFit()
    {
        Assert.Equal(PushOutcome.Delivered, await Send(Provider(_fcm.BaseUrl), Show(Largest())));

        Assert.Empty(_fcm.Problems);
        var sent = Assert.Single(_fcm.Messages)["message"]!;
        Assert.Null(sent["data"]!["rawContent"]);
        Assert.Equal(new string('T', 256), sent["notification"]!["title"]!.GetValue<string>());
        var body = sent["notification"]!["body"]!.GetValue<string>();
        Assert.EndsWith("…", body, StringComparison.Ordinal);
        Assert.StartsWith(body[..^1], LargestBody, StringComparison.Ordinal);
        Assert.InRange(body.Length, 1000, LargestBody.Length - 1); // written as UTF-8, not as \u escapes, so most of it fits
    }

    [Fact]
    public async Task NormalPriorityUpdateWithoutVisualContent_IsDataOnly_AndExpiredTtlIsZero()
    {
        var provider = Provider(_fcm.BaseUrl);
        var message = Show(Notification(Priority.Normal, visual: null, appNotificationId: null), ChangeKind.Updated);

        Assert.Equal(PushOutcome.Delivered, await Send(provider, message));
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(PushOutcome.Delivered, await Send(provider, message));

        Assert.Empty(_fcm.Problems);
        var sent = _fcm.Messages.ToArray();
        AssertJson("""
            {"message":{"token":"fcm-registration-token-1",
              "android":{"priority":"NORMAL","ttl":"5400s"},
              "data":{"kind":"updated","notificationId":"n-1","sequence":"7","rawContent":"{\"order\":42}"}}}
            """, sent[0]);
        Assert.Equal("0s", sent[1]["message"]!["android"]!["ttl"]!.GetValue<string>());
    }

    [Fact]
    public async Task StateSync_IsNormalPriorityDataMessage_WithTheStates()
    {
        var provider = Provider(_fcm.BaseUrl);
        var read = Notification(Priority.High, new VisualContent("Order shipped", null)) with { ReadState = ReadState.Read, UserActionState = UserActionState.Dismissed };

        Assert.Equal(PushOutcome.Delivered, await Send(provider, Sync(read, ChangeKind.Updated, 9)));
        Assert.Equal(PushOutcome.Delivered, await Send(provider, Sync(null, ChangeKind.Deleted, 10)));

        Assert.Empty(_fcm.Problems);
        var sent = _fcm.Messages.ToArray();
        AssertJson("""
            {"message":{"token":"fcm-registration-token-1","android":{"priority":"NORMAL","ttl":"5400s"},
              "data":{"kind":"updated","notificationId":"n-1","sequence":"9","readState":"read","userActionState":"dismissed"}}}
            """, sent[0]);
        AssertJson("""
            {"message":{"token":"fcm-registration-token-1","android":{"priority":"NORMAL","ttl":"5400s"},
              "data":{"kind":"deleted","notificationId":"n-1","sequence":"10"}}}
            """, sent[1]);
    }

    [Fact]
    public async Task OversizedRawContent_IsLeftOut()
    {
        var message = Show(Notification(Priority.High, new VisualContent("Big", null), rawContent: new string('x', 5000)));

        Assert.Equal(PushOutcome.Delivered, await Send(Provider(_fcm.BaseUrl), message));

        var data = Assert.Single(_fcm.Messages)["message"]!["data"]!.AsObject();
        Assert.Equal(["kind", "notificationId", "sequence"], data.Select(p => p.Key));
    }

    [Theory]
    [InlineData(404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}""")]
    [InlineData(404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"UNREGISTERED"}}""")]
    [InlineData(400, """{"error":{"code":400,"message":"The registration token is not a valid FCM registration token","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}""")]
    public async Task GoneOrMalformedRegistrationToken_IsInvalid(int status, string body)
    {
        _fcm.Responses.Enqueue((status, body, null));

        var outcome = await Send(Provider(_fcm.BaseUrl), Show(Notification()));

        Assert.Equal(PushOutcomeKind.Invalid, outcome.Kind);
        Assert.StartsWith($"fcm {status} ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadPayload_IsFailed_NotInvalid()
    {
        _fcm.Responses.Enqueue((400, """{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value","description":"Invalid value"}]}]}}""", null));

        var outcome = await Send(Provider(_fcm.BaseUrl), Show(Notification()));

        Assert.Equal(PushOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("INVALID_ARGUMENT", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unavailable_IsRetried_AfterRetryAfter()
    {
        _fcm.Responses.Enqueue((503, """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""", "5"));
        _fcm.Responses.Enqueue((429, """{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"QUOTA_EXCEEDED"}]}}""", null));
        var provider = Provider(_fcm.BaseUrl);

        var unavailable = await Send(provider, Show(Notification()));
        var quota = await Send(provider, Show(Notification()));

        Assert.Equal(PushOutcomeKind.Retry, unavailable.Kind);
        Assert.Equal(TimeSpan.FromSeconds(5), unavailable.RetryAfter);
        Assert.Equal(PushOutcomeKind.Retry, quota.Kind);
        Assert.Null(quota.RetryAfter);
        Assert.Contains("QUOTA_EXCEEDED", quota.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedTokenExchange_IsFailed_AndUnreachableFcm_IsRetried()
    {
        _fcm.TokenStatus = 400;
        var refused = await Send(Provider(_fcm.BaseUrl), Show(Notification()));
        Assert.Equal(PushOutcomeKind.Failed, refused.Kind);
        Assert.Contains("token exchange", refused.Error, StringComparison.Ordinal);

        _fcm.TokenStatus = 200;
        var unreachable = await Send(Provider(new Uri($"http://127.0.0.1:{ClosedPort()}")), Show(Notification()));
        Assert.Equal(PushOutcomeKind.Retry, unreachable.Kind);
        Assert.Empty(_fcm.Messages);
    }

    [Fact]
    public async Task MissingCredentials_IsFailed()
    {
        var outcome = await Provider(_fcm.BaseUrl).SendAsync(Subscription(PlatformType.Android, RegistrationToken), Show(Notification()), new AppPushCredentials(null, null, null), CancellationToken.None);

        Assert.Equal(PushOutcome.Failed("fcm credentials are not configured"), outcome);
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {JsonNode.Parse(expected)!.ToJsonString()}\nactual   {actual.ToJsonString()}");

    private FcmProvider Provider(Uri baseUrl) =>
        new(_http, _time, Options.Create(new PushOptions { Fcm = new PushOptions.FcmSettings { BaseUrl = baseUrl }, RequestTimeout = TimeSpan.FromSeconds(10) }));

    private Task<PushOutcome> Send(FcmProvider provider, PushMessage message) =>
        provider.SendAsync(Subscription(PlatformType.Android, RegistrationToken), message, Credentials, CancellationToken.None);
}
