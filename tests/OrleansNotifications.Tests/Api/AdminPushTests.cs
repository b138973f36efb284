using System.Security.Cryptography;
using System.Text.Json;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

/// <summary><c>PUT /v1/admin/apps/{appId}/push/*</c>: validated, admin-only, and no secret ever comes back.</summary>
public sealed class AdminPushTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static string ServiceAccount(string? tokenUri = "https://oauth2.googleapis.com/token", string type = "service_account")
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["type"] = type,
            ["project_id"] = "my-project-42",
            ["private_key_id"] = "abc",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "push@my-project-42.iam.gserviceaccount.com",
            ["token_uri"] = tokenUri,
        });
    }

    private static string Apns(string keyId = "ABC123DEFG", string? privateKey = null, string environment = "development")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return JsonSerializer.Serialize(new
        {
            teamId = "TEAM123456",
            keyId,
            privateKey = privateKey ?? key.ExportPkcs8PrivateKeyPem(),
            bundleId = "com.example.app",
            environment,
        });
    }

    [Fact]
    public async Task Fcm_IsStored_AndAnsweredWithoutTheKey()
    {
        var app = await server.CreateAppAsync();
        var response = await server.Admin().PutAsync($"/v1/admin/apps/{app.AppId}/push/fcm", Http.Json(ServiceAccount()));
        var body = await response.ExpectAsync(200);
        Assert.Equal("android", body.Str("platform"));
        Assert.Equal("my-project-42", body.Str("projectId"));
        Assert.DoesNotContain("PRIVATE KEY", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apns_IsStored_AndAnsweredWithoutTheKey()
    {
        var app = await server.CreateAppAsync();
        var body = await server.Admin().PutAsync($"/v1/admin/apps/{app.AppId}/push/apns", Http.Json(Apns())).ExpectAsync(200);
        Assert.Equal(("ios", "development", "com.example.app"), (body.Str("platform"), body.Str("environment"), body.Str("bundleId")));
        Assert.DoesNotContain("PRIVATE KEY", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebPush_TakesASubject_AndShowsTheAppsVapidKey()
    {
        var created = await server.Admin().PostJsonAsync("/v1/admin/apps", "{}").ExpectAsync(201);
        var body = await server.Admin().PutAsync($"/v1/admin/apps/{created.Str("appId")}/push/webpush",
            Http.Json("""{"subject":"mailto:ops@example.com"}""")).ExpectAsync(200);
        Assert.Equal(created.Str("vapidPublicKey"), body.Str("vapidPublicKey"));
        Assert.Equal("mailto:ops@example.com", body.Str("subject"));
    }

    [Fact]
    public async Task BadCredentials_Are400_NamingTheField()
    {
        var app = await server.CreateAppAsync();
        var admin = server.Admin();
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/fcm", Http.Json(ServiceAccount(type: "user"))).ExpectProblemAsync(400, "type");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/fcm", Http.Json(ServiceAccount(tokenUri: "http://169.254.169.254/token"))).ExpectProblemAsync(400, "token_uri");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/fcm", Http.Json("""{"type":"service_account","project_id":"p-1234","client_email":"a@b","token_uri":"https://x/t","private_key":"nope"}"""))
            .ExpectProblemAsync(400, "private_key");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/apns", Http.Json(Apns(keyId: "short"))).ExpectProblemAsync(400, "keyId");
        using var rsa = RSA.Create(2048);
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/apns", Http.Json(Apns(privateKey: rsa.ExportPkcs8PrivateKeyPem()))).ExpectProblemAsync(400, "privateKey");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/apns", Http.Json(Apns(environment: "staging"))).ExpectProblemAsync(400, "environment");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/webpush", Http.Json("""{"subject":"ops@example.com"}""")).ExpectProblemAsync(400, "subject");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/webpush", Http.Json("""{"subject":"mailto:a@b","extra":1}""")).ExpectProblemAsync(400, "extra");
        await admin.PutAsync($"/v1/admin/apps/{app.AppId}/push/webpush", Http.Json("[1]")).ExpectProblemAsync(400);
    }

    [Fact]
    public async Task UnknownApp_Is404_AndAppTokensAreNotAdmins()
    {
        var app = await server.CreateAppAsync();
        await server.Admin().PutAsync("/v1/admin/apps/no-such-app/push/webpush", Http.Json("""{"subject":"mailto:a@b"}""")).ExpectProblemAsync(404);
        await app.Client().PutAsync($"/v1/admin/apps/{app.AppId}/push/webpush", Http.Json("""{"subject":"mailto:a@b"}""")).ExpectProblemAsync(401);
    }
}
