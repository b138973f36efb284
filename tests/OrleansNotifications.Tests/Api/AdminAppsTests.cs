using System.Buffers.Text;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class AdminAppsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task CreateApp_ReturnsCredentialsOnceAndAVapidKey()
    {
        var response = await server.Admin().PostJsonAsync("/v1/admin/apps", """{"appId":"shop-1","displayName":"Shop"}""");
        var created = await response.ExpectAsync(201);
        Assert.True(response.Headers.CacheControl?.NoStore, "the client secret is shown once and never cached");
        Assert.Equal("shop-1", created.Str("appId"));
        Assert.False(string.IsNullOrEmpty(created.Str("clientId")));
        Assert.True(created.Str("clientSecret").Length >= 32);
        var vapid = Base64Url.DecodeFromChars(created.Str("vapidPublicKey"));
        Assert.Equal(65, vapid.Length);
        Assert.Equal(0x04, vapid[0]);

        await server.Admin().PostJsonAsync("/v1/admin/apps", """{"appId":"shop-1"}""").ExpectProblemAsync(409);
    }

    [Fact]
    public async Task CreateApp_WithoutBody_GeneratesAnId()
    {
        var created = await server.Admin().PostAsync("/v1/admin/apps", null).ExpectAsync(201);
        Assert.Matches("^[a-z0-9][a-z0-9-]{0,63}$", created.Str("appId"));
    }

    [Theory]
    [InlineData("""{"appId":"Shop"}""", "appId")]
    [InlineData("""{"appId":"-shop"}""", "appId")]
    [InlineData("""{"appId":"a_b"}""", "appId")]
    [InlineData("""{"appId":"x1234567890123456789012345678901234567890123456789012345678901234"}""", "appId")]
    [InlineData("""{"displayName":""}""", "displayName")]
    [InlineData("""{"owner":"me"}""", "owner")]
    public async Task CreateApp_WithInvalidBody_Returns400(string body, string field) =>
        await server.Admin().PostJsonAsync("/v1/admin/apps", body).ExpectProblemAsync(400, field);
}
