using System.Text.Json;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class SubscriptionsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>A browser-like subscription key: an uncompressed P-256 point and a 16-byte auth secret.</summary>
    private static (string P256dh, string Auth) BrowserKeys()
    {
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdh.ExportParameters(false).Q;
        return (Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
    }

    private static string WebPushBody(string endpoint = "https://push.example.net/send/abc", string? p256dh = null, string? auth = null)
    {
        var keys = BrowserKeys();
        return $$$$"""{"platform":"webpush","webPush":{"endpoint":"{{{{endpoint}}}}","keys":{"p256dh":"{{{{p256dh ?? keys.P256dh}}}}","auth":"{{{{auth ?? keys.Auth}}}}"}}}""";
    }

    [Theory]
    [InlineData("""{"platform":"android","deviceId":"pixel","pushToken":"fcm:APA91bExample"}""", "android")]
    [InlineData("""{"platform":"iOS","pushToken":"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}""", "ios")]
    [InlineData(null, "webpush")]
    public async Task Create_ValidSubscription_Returns201WithTheResource(string? body, string platform)
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var response = await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", body ?? WebPushBody());
        var created = await response.ExpectAsync(201);

        Assert.Equal(platform, created.Str("platform"));
        Assert.Equal("active", created.Str("status"));
        Assert.Equal($"/v1/users/{user}/subscriptions/{created.Str("id")}", response.Headers.Location?.OriginalString);
        var createdAt = DateTimeOffset.Parse(created.Str("createdDateTime"), CultureInfo.InvariantCulture);
        var expiresAt = DateTimeOffset.Parse(created.Str("expirationDateTime"), CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromDays(90), expiresAt - createdAt);
        Assert.False(created.TryGetProperty("pushToken", out _), "push tokens are not echoed");

        Assert.True(created.TryGetProperty("deviceId", out _), "deviceId is always there, null when none was sent");
        var list = await app.Client().GetAsync($"/v1/users/{user}/subscriptions").ExpectAsync(200);
        Assert.Equal(created.Str("id"), Assert.Single(list.GetProperty("value").EnumerateArray()).Str("id"));
        var read = await app.Client().GetAsync(response.Headers.Location).ExpectAsync(200);
        Assert.Equal(created.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task Create_ByTheDevice_PointsAtItsOwnRoute_AndOnlyItsUserReadsIt()
    {
        var app = await server.CreateAppAsync();
        var device = await app.UserClientAsync(TestApp.NewUserId());
        var response = await device.PostJsonAsync("/v1/me/subscriptions", """{"platform":"android","pushToken":"t1"}""");
        var created = await response.ExpectAsync(201);

        Assert.Equal($"/v1/me/subscriptions/{created.Str("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("deviceId").ValueKind);
        Assert.Equal(created.Str("id"), (await device.GetAsync(response.Headers.Location).ExpectAsync(200)).Str("id"));
        var neighbour = await app.UserClientAsync(TestApp.NewUserId());
        await neighbour.GetAsync(response.Headers.Location).ExpectProblemAsync(404);
        var otherApp = await server.CreateAppAsync();
        await otherApp.Client().GetAsync($"/v1/users/someone/subscriptions/{created.Str("id")}").ExpectProblemAsync(404);
    }

    [Fact]
    public async Task Create_SameDeviceId_ReplacesThatDevicesSubscription()
    {
        var app = await server.CreateAppAsync();
        var device = await app.UserClientAsync(TestApp.NewUserId());
        var first = await device.PostJsonAsync("/v1/me/subscriptions", """{"platform":"android","deviceId":"phone","pushToken":"t1"}""").ExpectAsync(201);
        var second = await device.PostJsonAsync("/v1/me/subscriptions", """{"platform":"android","deviceId":"phone","pushToken":"t2"}""").ExpectAsync(201);
        await device.PostJsonAsync("/v1/me/subscriptions", """{"platform":"android","deviceId":"tablet","pushToken":"t3"}""").ExpectAsync(201);

        Assert.Equal(first.Str("id"), second.Str("id"));
        var list = await device.GetAsync("/v1/me/subscriptions").ExpectAsync(200);
        Assert.Equal(2, list.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Create_SamePushTokenWithoutDeviceId_RenewsThatSubscription_InsteadOfAddingASecond()
    {
        var app = await server.CreateAppAsync();
        var device = await app.UserClientAsync(TestApp.NewUserId());
        const string token = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"; // hexadecimal, so that ios accepts it too
        var first = await device.PostJsonAsync("/v1/me/subscriptions", $$"""{"platform":"android","pushToken":"{{token}}"}""").ExpectAsync(201);
        var again = await device.PostJsonAsync("/v1/me/subscriptions", $$"""{"platform":"android","pushToken":"{{token}}"}""").ExpectAsync(201);
        await device.PostJsonAsync("/v1/me/subscriptions", $$"""{"platform":"ios","pushToken":"{{token}}"}""").ExpectAsync(201);

        Assert.Equal(first.Str("id"), again.Str("id"));
        Assert.True(string.CompareOrdinal(again.Str("expirationDateTime"), first.Str("expirationDateTime")) >= 0);
        var list = await device.GetAsync("/v1/me/subscriptions").ExpectAsync(200);
        Assert.Equal(2, list.GetProperty("value").GetArrayLength()); // another platform is another address
    }

    public static TheoryData<string, string> InvalidBodies()
    {
        var keys = BrowserKeys();
        var offCurve = Base64Url.EncodeToString([0x04, .. new byte[64]]);
        return new TheoryData<string, string>
        {
            { """{"pushToken":"t"}""", "platform" },
            { """{"platform":"windows","pushToken":"t"}""", "platform" },
            { """{"platform":"android"}""", "pushToken" },
            { """{"platform":"android","pushToken":""}""", "pushToken" },
            { """{"platform":"ios","pushToken":"not-hex!"}""", "pushToken" },
            { """{"platform":"android","pushToken":"t","deviceId":""}""", "deviceId" },
            { $$"""{"platform":"android","pushToken":"t","deviceId":"{{new string('d', 129)}}"}""", "deviceId" },
            { """{"platform":"android","pushToken":"t","extra":1}""", "extra" },
            { """{"platform":"webpush"}""", "webPush" },
            { """{"platform":"webpush","pushToken":"t"}""", "pushToken" },
            { WebPushBody(p256dh: Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(33))), "webPush.keys.p256dh" },
            { WebPushBody(p256dh: offCurve), "webPush.keys.p256dh" },
            { WebPushBody(p256dh: "***"), "webPush.keys.p256dh" },
            { WebPushBody(auth: Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(8))), "webPush.keys.auth" },
            { WebPushBody(endpoint: "http://push.example.net/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "https://127.0.0.1/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "https://localhost:8443/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "https://10.1.2.3/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "https://192.168.0.10/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "https://[::1]/x"), "webPush.endpoint" },
            { WebPushBody(endpoint: "not a url"), "webPush.endpoint" },
            { """{"platform":"webpush","webPush":{"endpoint":"https://push.example.net/x"}}""", "webPush.keys" },
            { $$$$"""{"platform":"android","pushToken":"t","webPush":{"endpoint":"https://push.example.net/x","keys":{"p256dh":"{{{{keys.P256dh}}}}","auth":"{{{{keys.Auth}}}}"}}}""", "webPush" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Create_InvalidSubscription_Returns400NamingTheField(string body, string field)
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", body).ExpectProblemAsync(400, field);
        var list = await app.Client().GetAsync($"/v1/users/{user}/subscriptions").ExpectAsync(200);
        Assert.Equal(0, list.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Delete_RemovesTheSubscription()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var created = await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", """{"platform":"android","pushToken":"t"}""").ExpectAsync(201);
        await app.Client().DeleteAsync($"/v1/users/{user}/subscriptions/{created.Str("id")}").ExpectAsync(204);
        await app.Client().DeleteAsync($"/v1/users/{user}/subscriptions/{created.Str("id")}").ExpectProblemAsync(404);
        await app.Client().DeleteAsync($"/v1/users/someone-else/subscriptions/{created.Str("id")}").ExpectProblemAsync(404);
    }

    [Fact]
    public async Task Create_BeyondThePerUserLimit_Returns409()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        for (var i = 0; i < 50; i++)
        {
            await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", $$"""{"platform":"android","pushToken":"t{{i}}"}""").ExpectAsync(201);
        }

        await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", """{"platform":"android","pushToken":"one-too-many"}""").ExpectProblemAsync(409);
    }

    [Fact]
    public async Task Subscription_AfterNinetyDays_IsGone()
    {
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", """{"platform":"android","pushToken":"t"}""").ExpectAsync(201);
        server.Clock.Advance(TimeSpan.FromDays(91));
        app = await app.WithFreshTokenAsync();
        var token = await app.UserTokenAsync(user);
        var list = await server.CreateClient().WithBearer(token).GetAsync("/v1/me/subscriptions").ExpectAsync(200);
        Assert.Equal(0, list.GetProperty("value").GetArrayLength());
    }
}
