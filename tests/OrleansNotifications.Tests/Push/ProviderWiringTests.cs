using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Push;

/// <summary>A server whose FCM and APNs addresses are the loopback fakes (which check the wire format).</summary>
public sealed class ProviderWiringFixture : ServerFixture, IAsyncLifetime
{
    public FakeFcm Fcm { get; private set; } = null!;

    public FakeApns Apns { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fcm = await FakeFcm.StartAsync();
        Apns = await FakeApns.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Fcm.DisposeAsync();
        await Apns.DisposeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Notifications:Push:Fcm:BaseUrl", Fcm.BaseUrl.AbsoluteUri),
        new("Notifications:Push:Apns:BaseUrl", Apns.ProductionUrl.AbsoluteUri),
        new("Notifications:Push:WebPush:AllowInsecureEndpoints", "true"), // the fake token endpoint is http on loopback
    ];
}

/// <summary>
/// Credentials set through the admin API, subscriptions through the app API, a publish and a read: what reaches FCM and
/// APNs through the whole server (the provider tests check each field; this checks the pieces are wired together).
/// </summary>
public sealed class ProviderWiringTests(ProviderWiringFixture server) : IClassFixture<ProviderWiringFixture>
{
    [Fact]
    public async Task PublishAndRead_ReachFcmAndApns_WithTheOperatorsCredentials()
    {
        var app = await server.CreateAppAsync();
        using var apnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await server.Admin().PutAsync($"/v1/admin/apps/{app.AppId}/push/fcm", Http.Json(server.Fcm.ServiceAccountJson)).ExpectAsync(200);
        await server.Admin().PutAsync($"/v1/admin/apps/{app.AppId}/push/apns", Http.Json(JsonSerializer.Serialize(new
        {
            teamId = "TEAM123456", keyId = "KEY1234567", privateKey = apnsKey.ExportPkcs8PrivateKeyPem(), bundleId = "com.example.app",
        }))).ExpectAsync(200);
        var user = TestApp.NewUserId();
        var deviceToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", """{"platform":"android","pushToken":"fcm-registration-token"}""").ExpectAsync(201);
        await app.Client().PostJsonAsync($"/v1/users/{user}/subscriptions", $$"""{"platform":"ios","pushToken":"{{deviceToken}}"}""").ExpectAsync(201);

        var id = (await app.PublishAsync(user, "order-9", title: "Shipped")).Str("id");
        await Eventually.HoldsAsync(() => server.Fcm.Messages.Count >= 1 && server.Apns.Requests.Count >= 1, "The providers were not called within 10 s.");
        await app.Client().PatchJsonAsync($"/v1/users/{user}/notifications/{id}", """{"readState":"read"}""").ExpectAsync(200);
        await Eventually.HoldsAsync(() => server.Fcm.Messages.Count >= 2 && server.Apns.Requests.Count >= 2, "The providers were not called within 10 s.");

        Assert.Empty(server.Fcm.Problems);
        var messages = server.Fcm.Messages.ToArray();
        Assert.Equal("fcm-registration-token", messages[0]["message"]!["token"]!.GetValue<string>());
        Assert.Equal("Shipped", messages[0]["message"]!["notification"]!["title"]!.GetValue<string>());
        Assert.Equal("order-9", messages[0]["message"]!["android"]!["collapse_key"]!.GetValue<string>());
        Assert.Equal("read", messages[1]["message"]!["data"]!["readState"]!.GetValue<string>());
        Assert.Null(messages[1]["message"]!["notification"]);

        var requests = server.Apns.Requests.ToArray();
        Assert.All(requests, r => Assert.Equal(("prod", "HTTP/2", deviceToken, "com.example.app"), (r.Environment, r.Protocol, r.DeviceToken, r.Headers["apns-topic"])));
        Assert.Equal(("alert", "order-9"), (requests[0].Headers["apns-push-type"], requests[0].Headers["apns-collapse-id"]));
        Assert.Equal("background", requests[1].Headers["apns-push-type"]);
        var jwt = requests[0].Headers["authorization"]["bearer ".Length..].Split('.');
        Assert.True(apnsKey.VerifyData(Encoding.ASCII.GetBytes($"{jwt[0]}.{jwt[1]}"), Base64Url.DecodeFromChars(jwt[2]), HashAlgorithmName.SHA256),
            "the provider token is signed with the key the operator set");

        var deliveries = await app.Client().GetAsync($"/v1/users/{user}/notifications/{id}/deliveries").ExpectAsync(200);
        Assert.All(deliveries.GetProperty("value").EnumerateArray(), d => Assert.Equal("delivered", d.Str("status")));
    }
}
