using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push;
using OrleansNotifications.Push.Apns;
using OrleansNotifications.Tests.Infrastructure;
using static OrleansNotifications.Tests.Push.PushTestData;

namespace OrleansNotifications.Tests.Push;

public sealed class ApnsProviderTests : IAsyncLifetime
{
    private const string DeviceToken = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private const string TeamId = "TEAM123456";
    private const string KeyId = "KEY1234567";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly HttpClient _http = new(new SocketsHttpHandler());
    private readonly ManualTimeProvider _time = new(Now);
    private FakeApns _apns = null!;

    public async Task InitializeAsync() => _apns = await FakeApns.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _key.Dispose();
        await _apns.DisposeAsync();
    }

    [Fact]
    public async Task HighPriorityAlert_IsHttp2WithSignedProviderToken_ReusedAcrossSends()
    {
        var provider = Provider();
        var message = Show(Notification(Priority.High, new VisualContent("Order shipped", "Tap to track")));

        Assert.Equal(PushOutcome.Delivered, await Send(provider, message));
        _time.Advance(TimeSpan.FromMinutes(49));
        Assert.Equal(PushOutcome.Delivered, await Send(provider, message));

        var requests = _apns.Requests.ToArray();
        var first = requests[0];
        Assert.Equal(("prod", "HTTP/2", DeviceToken), (first.Environment, first.Protocol, first.DeviceToken));
        Assert.Equal("com.example.app", first.Headers["apns-topic"]);
        Assert.Equal("alert", first.Headers["apns-push-type"]);
        Assert.Equal("10", first.Headers["apns-priority"]);
        Assert.Equal(Now.AddMinutes(90).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), first.Headers["apns-expiration"]);
        Assert.Equal("order-42", first.Headers["apns-collapse-id"]);
        AssertJson("""
            {"aps":{"alert":{"title":"Order shipped","body":"Tap to track"},"sound":"default"},
             "kind":"created","notificationId":"n-1","sequence":7,"rawContent":"{\"order\":42}"}
            """, first.Body);
        AssertProviderToken(first.Headers["authorization"], Now);
        Assert.Equal(first.Headers["authorization"], requests[1].Headers["authorization"]);
    }

    [Fact]
    public async Task ProviderToken_IsRenewedAfter50Minutes()
    {
        var provider = Provider();

        await Send(provider, Show(Notification()));
        _time.Advance(TimeSpan.FromMinutes(51));
        await Send(provider, Show(Notification()));

        var requests = _apns.Requests.ToArray();
        AssertProviderToken(requests[1].Headers["authorization"], Now.AddMinutes(51));
    }

    [Fact]
    public async Task DataOnlyNotificationAndStateSync_AreBackgroundPushesAtPriority5()
    {
        var provider = Provider();
        var read = Notification(Priority.High) with { ReadState = ReadState.Read, UserActionState = UserActionState.Activated };

        await Send(provider, Show(Notification(Priority.High, visual: null), ChangeKind.Updated));
        await Send(provider, Show(Notification(Priority.Normal, new VisualContent("Weekly digest", null), appNotificationId: null)));
        await Send(provider, Sync(read, ChangeKind.Updated, 9));
        await Send(provider, Sync(null, ChangeKind.Deleted, 10));

        var requests = _apns.Requests.ToArray();
        Assert.Equal(["background", "alert", "background", "background"], requests.Select(r => r.Headers["apns-push-type"]));
        Assert.All(requests, r => Assert.Equal("5", r.Headers["apns-priority"]));
        Assert.Equal([true, false, false, false], requests.Select(r => r.Headers.ContainsKey("apns-collapse-id")));
        AssertJson("""
            {"aps":{"content-available":1},"kind":"updated","notificationId":"n-1","sequence":7,"rawContent":"{\"order\":42}"}
            """, requests[0].Body);
        AssertJson("""
            {"aps":{"alert":{"title":"Weekly digest"},"sound":"default"},"kind":"created","notificationId":"n-1","sequence":7,"rawContent":"{\"order\":42}"}
            """, requests[1].Body);
        AssertJson("""
            {"aps":{"content-available":1},"kind":"updated","notificationId":"n-1","sequence":9,"readState":"read","userActionState":"activated"}
            """, requests[2].Body);
        AssertJson("""
            {"aps":{"content-available":1},"kind":"deleted","notificationId":"n-1","sequence":10}
            """, requests[3].Body);
    }

    [Fact]
    public async Task OversizedRawContent_IsLeftOut_AndLongCollapseKeyIsHashedToFit()
    {
        var message = Show(Notification(Priority.High, new VisualContent("Big", null), rawContent: new string('x', 5000), appNotificationId: new string('k', 100)));

        Assert.Equal(PushOutcome.Delivered, await Send(Provider(), message));

        var request = Assert.Single(_apns.Requests);
        Assert.Null(request.Body["rawContent"]);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(new string('k', 100)))), request.Headers["apns-collapse-id"]);
    }

    [Fact]
    public async Task TheLargestNotification_LeavesRawContentOut_AndShortensTheBodyToFit()
    {
        Assert.Equal(PushOutcome.Delivered, await Send(Provider(), Show(Largest())));

        var request = Assert.Single(_apns.Requests);
        Assert.Null(request.Body["rawContent"]);
        var alert = request.Body["aps"]!["alert"]!;
        Assert.Equal(new string('T', 256), alert["title"]!.GetValue<string>());
        var body = alert["body"]!.GetValue<string>();
        Assert.EndsWith("…", body, StringComparison.Ordinal);
        Assert.StartsWith(body[..^1], LargestBody, StringComparison.Ordinal);
        Assert.InRange(body.Length, 1000, LargestBody.Length - 1);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("ünïcödé")]
    public async Task ACollapseKeyThatIsNoHeaderValue_IsHashed(string appNotificationId)
    {
        var message = Show(Notification(Priority.High, new VisualContent("Hi", null), appNotificationId: appNotificationId));

        Assert.Equal(PushOutcome.Delivered, await Send(Provider(), message));

        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(appNotificationId))), Assert.Single(_apns.Requests).Headers["apns-collapse-id"]);
    }

    [Theory]
    [InlineData(410, "Unregistered", null, PushOutcomeKind.Invalid)]
    [InlineData(400, "BadDeviceToken", null, PushOutcomeKind.Invalid)]
    [InlineData(400, "DeviceTokenNotForTopic", null, PushOutcomeKind.Invalid)]
    [InlineData(429, "TooManyRequests", null, PushOutcomeKind.Retry)]
    [InlineData(503, "ServiceUnavailable", "7", PushOutcomeKind.Retry)]
    [InlineData(400, "BadTopic", null, PushOutcomeKind.Failed)]
    [InlineData(413, "PayloadTooLarge", null, PushOutcomeKind.Failed)]
    public async Task ErrorReasons_AreClassified(int status, string reason, string? retryAfter, PushOutcomeKind expected)
    {
        _apns.Responses.Enqueue((status, reason, retryAfter));

        var outcome = await Send(Provider(), Show(Notification()));

        Assert.Equal(expected, outcome.Kind);
        Assert.Equal($"apns {status} {reason}", outcome.Error);
        Assert.Equal(retryAfter is null ? null : TimeSpan.FromSeconds(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture)), outcome.RetryAfter);
    }

    [Fact]
    public async Task ExpiredProviderToken_IsRetried_WithANewToken()
    {
        var provider = Provider();
        _apns.Responses.Enqueue((403, "ExpiredProviderToken", null));

        var refused = await Send(provider, Show(Notification()));
        _time.Advance(TimeSpan.FromMinutes(1));
        var retried = await Send(provider, Show(Notification()));

        Assert.Equal(PushOutcomeKind.Retry, refused.Kind);
        Assert.Equal(PushOutcome.Delivered, retried);
        var requests = _apns.Requests.ToArray();
        Assert.NotEqual(requests[0].Headers["authorization"], requests[1].Headers["authorization"]);
        AssertProviderToken(requests[1].Headers["authorization"], Now.AddMinutes(1));
    }

    [Fact]
    public async Task DevelopmentEnvironment_UsesTheSandbox()
    {
        var outcome = await Provider().SendAsync(Subscription(PlatformType.Ios, DeviceToken), Show(Notification()), Credentials(ApnsEnvironment.Development), CancellationToken.None);

        Assert.Equal(PushOutcome.Delivered, outcome);
        Assert.Equal("dev", Assert.Single(_apns.Requests).Environment);
    }

    [Fact]
    public async Task SlowOrUnreachableApns_IsRetried()
    {
        _apns.Delay = TimeSpan.FromSeconds(5);
        var slow = await Send(Provider(TimeSpan.FromMilliseconds(300)), Show(Notification()));

        var unreachable = await new ApnsProvider(_http, _time, Options.Create(new PushOptions { Apns = new PushOptions.ApnsSettings { ProductionUrl = new Uri($"http://127.0.0.1:{FcmProviderTests.ClosedPort()}") } }))
            .SendAsync(Subscription(PlatformType.Ios, DeviceToken), Show(Notification()), Credentials(ApnsEnvironment.Production), CancellationToken.None);

        Assert.Equal(PushOutcome.Retry("apns request timed out"), slow);
        Assert.Equal(PushOutcomeKind.Retry, unreachable.Kind);
    }

    [Fact]
    public async Task MissingCredentials_IsFailed()
    {
        var outcome = await Provider().SendAsync(Subscription(PlatformType.Ios, DeviceToken), Show(Notification()), new AppPushCredentials(null, null, null), CancellationToken.None);

        Assert.Equal(PushOutcome.Failed("apns credentials are not configured"), outcome);
    }

    private void AssertProviderToken(string authorization, DateTimeOffset issuedAt)
    {
        Assert.StartsWith("bearer ", authorization, StringComparison.Ordinal);
        var parts = authorization["bearer ".Length..].Split('.');
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        AssertJson($$"""{"alg":"ES256","kid":"{{KeyId}}"}""", JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!);
        AssertJson($$"""{"iss":"{{TeamId}}","iat":{{issuedAt.ToUnixTimeSeconds()}}}""", JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!);
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {JsonNode.Parse(expected)!.ToJsonString()}\nactual   {actual.ToJsonString()}");

    private AppPushCredentials Credentials(ApnsEnvironment environment) =>
        new(null, new ApnsCredentials(TeamId, KeyId, _key.ExportPkcs8PrivateKeyPem(), "com.example.app", environment), null);

    private ApnsProvider Provider(TimeSpan? timeout = null) => new(_http, _time, Options.Create(new PushOptions
    {
        Apns = new PushOptions.ApnsSettings { ProductionUrl = _apns.ProductionUrl, DevelopmentUrl = _apns.DevelopmentUrl },
        
        RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
    }));

    private Task<PushOutcome> Send(ApnsProvider provider, PushMessage message) =>
        provider.SendAsync(Subscription(PlatformType.Ios, DeviceToken), message, Credentials(ApnsEnvironment.Production), CancellationToken.None);
}
