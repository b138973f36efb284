using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class AuthTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    [Fact]
    public async Task TokenEndpoint_WithGoodCredentials_IssuesBearerJwt()
    {
        var app = await server.CreateAppAsync();
        var response = await server.Anonymous().PostAsync("/v1/oauth2/token",
            Form(("grant_type", "client_credentials"), ("client_id", app.ClientId), ("client_secret", app.ClientSecret)));
        var body = await response.ExpectAsync(200);
        Assert.Equal("Bearer", body.Str("token_type"));
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, body.Str("access_token").Split('.').Length);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("no-cache", response.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task TokenEndpoint_WithHttpBasicClientAuthentication_IssuesToken()
    {
        var app = await server.CreateAppAsync();
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{app.ClientId}:{app.ClientSecret}")));
        await client.PostAsync("/v1/oauth2/token", Form(("grant_type", "client_credentials"))).ExpectAsync(200);
    }

    [Theory]
    [InlineData("wrong-secret", false)]
    [InlineData("wrong-secret", true)]
    public async Task TokenEndpoint_WithBadCredentials_Returns401InvalidClient(string secret, bool unknownClient)
    {
        var app = await server.CreateAppAsync();
        var response = await server.Anonymous().PostAsync("/v1/oauth2/token",
            Form(("grant_type", "client_credentials"), ("client_id", unknownClient ? "cid-nobody" : app.ClientId), ("client_secret", secret)));
        var body = await response.ExpectAsync(401);
        Assert.Equal("invalid_client", body.Str("error"));
    }

    [Fact]
    public async Task TokenEndpoint_WithOtherGrantType_Returns400UnsupportedGrantType()
    {
        var body = await server.Anonymous().PostAsync("/v1/oauth2/token", Form(("grant_type", "password"))).ExpectAsync(400);
        Assert.Equal("unsupported_grant_type", body.Str("error"));
    }

    [Fact]
    public async Task TokenEndpoint_WithMalformedForms_Returns400InvalidRequest()
    {
        var app = await server.CreateAppAsync();
        var manyFields = new StringContent(string.Join('&', Enumerable.Repeat("a=", 2000)) + "&grant_type=client_credentials",
            Encoding.UTF8, "application/x-www-form-urlencoded");
        var noGrant = Form(("client_id", "x"), ("client_secret", "y"));
        var repeated = Form(("grant_type", "client_credentials"), ("client_id", app.ClientId), ("client_secret", app.ClientSecret),
            ("client_secret", app.ClientSecret));

        foreach (var body in new HttpContent[] { manyFields, noGrant, repeated })
        {
            var error = await server.Anonymous().PostAsync("/v1/oauth2/token", body).ExpectAsync(400);
            Assert.Equal("invalid_request", error.Str("error"));
        }
    }

    [Fact]
    public async Task TokenEndpoint_WithAnotherMediaType_Returns415InvalidRequest()
    {
        var app = await server.CreateAppAsync();
        var multipart = new StringContent("--x\r\n", Encoding.UTF8);
        multipart.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        var json = new StringContent($$"""{"grant_type":"client_credentials","client_id":"{{app.ClientId}}","client_secret":"{{app.ClientSecret}}"}""",
            Encoding.UTF8, "application/json");

        foreach (var body in new HttpContent[] { multipart, json })
        {
            var error = await server.Anonymous().PostAsync("/v1/oauth2/token", body).ExpectAsync(415);
            Assert.Equal("invalid_request", error.Str("error"));
        }
    }

    [Fact]
    public async Task TokenEndpoint_WithAFormOver64KiB_Returns413_ChunkedOrNot()
    {
        var big = Form(("grant_type", "client_credentials"), ("padding", new string('p', 70_000)));
        await server.Anonymous().PostAsync("/v1/oauth2/token", big).ExpectProblemAsync(413);

        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("grant_type=client_credentials&padding=" + new string('p', 70_000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/oauth2/token") { Content = content };
        chunked.Headers.TransferEncodingChunked = true;
        await server.Anonymous().SendAsync(chunked).ExpectProblemAsync(413);
    }

    [Fact]
    public async Task AppRoute_WithoutToken_Returns401ProblemWithBearerChallenge()
    {
        var response = await server.Anonymous().GetAsync("/v1/users/alice/notifications");
        await response.ExpectProblemAsync(401);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task AppRoute_WithTamperedToken_Returns401_EvenWhileTheGenuineOneIsCached()
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync("/v1/users/alice/notifications").ExpectAsync(200);
        var parts = app.AppToken.Split('.');
        var claims = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace(app.AppId, "someone-else", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims))}.{parts[2]}";
        var response = await server.CreateClient().WithBearer(tampered).GetAsync("/v1/users/alice/notifications");
        await response.ExpectProblemAsync(401);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task ABadToken_IsChallengedAsInvalid_AMissingOne_Plainly()
    {
        var missing = await server.Anonymous().GetAsync("/v1/users/alice/notifications");
        await missing.ExpectProblemAsync(401);
        Assert.Null(missing.Headers.WwwAuthenticate.Single().Parameter);

        var bad = await server.CreateClient().WithBearer("not-a-jwt").GetAsync("/v1/users/alice/notifications");
        await bad.ExpectProblemAsync(401);
        Assert.Equal("error=\"invalid_token\"", bad.Headers.WwwAuthenticate.Single().Parameter);
    }

    [Theory]
    [InlineData("nothing", 200)]
    [InlineData("issuer", 401)]
    [InlineData("audience", 401)]
    [InlineData("notBefore", 401)]
    [InlineData("expiry", 401)]
    public async Task AToken_SignedWithOurKey_IsRefused_WhenAnythingElseIsWrong(string wrong, int status)
    {
        var app = await server.CreateAppAsync();
        var now = server.Clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = wrong == "issuer" ? "someone-else" : TokenService.Issuer,
            Audience = wrong == "audience" ? "someone-else" : TokenService.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", app.ClientId), new Claim("app", app.AppId), new Claim("token_use", "app")]),
            NotBefore = wrong == "notBefore" ? now.AddMinutes(10) : now,
            Expires = wrong == "expiry" ? null : now.AddHours(1),
            SigningCredentials = new SigningCredentials(server.Services.GetRequiredService<TokenSigningKey>().Key, SecurityAlgorithms.HmacSha256),
        });
        var response = await server.CreateClient().WithBearer(token).GetAsync("/v1/users/alice/notifications");
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task AnAcceptedToken_CarriesItsExpiry_SoTheHubCanCloseConnectionsWhenItEnds()
    {
        var app = await server.CreateAppAsync();
        var token = await app.UserTokenAsync("alice", expiresInSeconds: 600);
        var tokens = server.Services.GetRequiredService<BearerTokens>();
        var result = await tokens.AuthenticateAsync(token);
        Assert.Equal(new DateTimeOffset(new JsonWebToken(token).ValidTo, TimeSpan.Zero), result.Properties!.ExpiresUtc);
        Assert.Same(result, await tokens.AuthenticateAsync(token));
    }

    [Fact]
    public async Task AppRoute_WithAlgNoneToken_Returns401()
    {
        var app = await server.CreateAppAsync();
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(app.AppToken.Split('.')[1]));
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8);
        var unsigned = $"{header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.";
        await server.CreateClient().WithBearer(unsigned).GetAsync("/v1/users/alice/notifications").ExpectProblemAsync(401);
    }

    [Fact]
    public async Task AppRoute_WithTokenSignedByAnotherKey_Returns401()
    {
        var app = await server.CreateAppAsync();
        var foreign = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "orleans-notifications",
            Audience = "orleans-notifications",
            Subject = new ClaimsIdentity([new Claim("sub", app.ClientId), new Claim("app", app.AppId), new Claim("token_use", "app")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256),
        });
        await server.CreateClient().WithBearer(foreign).GetAsync("/v1/users/alice/notifications").ExpectProblemAsync(401);
    }

    [Fact]
    public async Task UserToken_AfterItExpires_Returns401()
    {
        var app = await server.CreateAppAsync();
        var token = await app.UserTokenAsync("alice", expiresInSeconds: 60);
        var device = server.CreateClient().WithBearer(token);
        await device.GetAsync("/v1/me/notifications").ExpectAsync(200);

        // One second past its expiresDateTime: no grace (the token was validated and cached above).
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        try
        {
            await device.GetAsync("/v1/me/notifications").ExpectProblemAsync(401);
        }
        finally
        {
            server.Clock.Advance(-TimeSpan.FromSeconds(61));
        }
    }

    [Fact]
    public async Task UserToken_OnAppRoute_Returns403()
    {
        var app = await server.CreateAppAsync();
        var device = await app.UserClientAsync("alice");
        await device.GetAsync("/v1/users/alice/notifications").ExpectProblemAsync(403);
        await device.PostJsonAsync("/v1/users/alice/notifications", """{"payload":{"rawContent":"x"}}""").ExpectProblemAsync(403);
    }

    [Fact]
    public async Task AppToken_OnDeviceRoute_Returns403()
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync("/v1/me/notifications").ExpectProblemAsync(403);
    }

    [Fact]
    public async Task AppToken_NeverReachesAnotherAppsUser_Returns404()
    {
        var appA = await server.CreateAppAsync();
        var appB = await server.CreateAppAsync();
        var ofB = await appB.PublishAsync("shared-user");
        var id = ofB.Str("id");

        await appA.Client().GetAsync($"/v1/users/shared-user/notifications/{id}").ExpectProblemAsync(404);
        await appA.Client().PatchJsonAsync($"/v1/users/shared-user/notifications/{id}", """{"readState":"read"}""").ExpectProblemAsync(404);
        await appA.Client().DeleteAsync($"/v1/users/shared-user/notifications/{id}").ExpectProblemAsync(404);
        var listA = await appA.Client().GetAsync("/v1/users/shared-user/notifications").ExpectAsync(200);
        Assert.Equal(0, listA.GetProperty("value").GetArrayLength());

        var deviceOfA = await appA.UserClientAsync("shared-user");
        await deviceOfA.GetAsync($"/v1/me/notifications/{id}").ExpectProblemAsync(404);
        var stillThere = await appB.Client().GetAsync($"/v1/users/shared-user/notifications/{id}").ExpectAsync(200);
        Assert.Equal("unread", stillThere.Str("readState"));
    }

    [Fact]
    public async Task UserToken_DefaultsToOneHour_AndRejectsLifetimesOutOfRange()
    {
        var app = await server.CreateAppAsync();
        var body = await app.Client().PostJsonAsync("/v1/users/alice/tokens", "{}").ExpectAsync(201);
        var expires = DateTimeOffset.Parse(body.Str("expiresDateTime"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - server.Clock.GetUtcNow(), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        await app.Client().PostAsync("/v1/users/alice/tokens", null).ExpectAsync(201);
        await app.Client().PostJsonAsync("/v1/users/alice/tokens", """{"expiresInSeconds":59}""").ExpectProblemAsync(400, "expiresInSeconds");
        await app.Client().PostJsonAsync("/v1/users/alice/tokens", """{"expiresInSeconds":86401}""").ExpectProblemAsync(400, "expiresInSeconds");
    }

    [Fact]
    public async Task AdminRoutes_RequireTheAdminKey()
    {
        var app = await server.CreateAppAsync();
        await server.CreateClient().WithBearer("not-the-key").PostJsonAsync("/v1/admin/apps", "{}").ExpectProblemAsync(401);
        await app.Client().PostJsonAsync("/v1/admin/apps", "{}").ExpectProblemAsync(401);
        await server.Anonymous().PostJsonAsync("/v1/admin/apps", "{}").ExpectProblemAsync(401);
    }

    [Fact]
    public async Task Device_ReadsAndUpdatesItsOwnNotificationsThroughMe()
    {
        var app = await server.CreateAppAsync();
        var published = await app.PublishAsync("bob");
        var device = await app.UserClientAsync("bob");
        var list = await device.GetAsync("/v1/me/notifications").ExpectAsync(200);
        Assert.Equal(published.Str("id"), list.GetProperty("value")[0].Str("id"));
        var read = await device.PatchJsonAsync($"/v1/me/notifications/{published.Str("id")}", """{"readState":"read"}""").ExpectAsync(200);
        Assert.Equal("read", read.Str("readState"));
        await device.PostJsonAsync("/v1/me/notifications", """{"payload":{"rawContent":"x"}}""").ExpectAsync(405);
    }
}
