using OrleansNotifications.Push.WebPush;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Push;

public sealed class VapidTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AuthorizationFor_IsAVapidHeaderWhoseJwtVerifiesWithTheAppKey_AndCarriesAudExpSub()
    {
        var credentials = TestVapid.CreateCredentials("mailto:ops@example.com");
        var tokens = new VapidToken(new ManualTimeProvider(Now));

        var authorization = tokens.AuthorizationFor(new Uri("https://push.example.net:8443/wpush/v2/abc?x=1"), credentials);

        var claims = TestVapid.VerifiedClaims(authorization, credentials.VapidPublicKey);
        Assert.Equal("https://push.example.net:8443", claims.GetProperty("aud").GetString());
        Assert.Equal(Now.AddHours(12).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.Equal("mailto:ops@example.com", claims.GetProperty("sub").GetString());
    }

    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc", "https://fcm.googleapis.com")]
    [InlineData("https://Updates.Push.Services.Mozilla.com:443/wpush/v2/x", "https://updates.push.services.mozilla.com")]
    [InlineData("http://127.0.0.1:5123/push/1", "http://127.0.0.1:5123")]
    public void AudienceOf_IsTheEndpointOrigin(string endpoint, string audience) =>
        Assert.Equal(audience, VapidToken.AudienceOf(new Uri(endpoint)));

    [Fact]
    public void AuthorizationFor_ReusesTheTokenPerOrigin_UntilNearExpiry()
    {
        var credentials = TestVapid.CreateCredentials();
        var clock = new ManualTimeProvider(Now);
        var tokens = new VapidToken(clock);
        var endpoint = new Uri("https://push.example.net/a");

        var first = tokens.AuthorizationFor(endpoint, credentials);
        Assert.Equal(first, tokens.AuthorizationFor(new Uri("https://push.example.net/other"), credentials));
        Assert.NotEqual(first, tokens.AuthorizationFor(new Uri("https://other.example.net/a"), credentials));

        clock.Advance(TimeSpan.FromHours(10));
        Assert.Equal(first, tokens.AuthorizationFor(endpoint, credentials));

        clock.Advance(TimeSpan.FromHours(1.5));
        var renewed = tokens.AuthorizationFor(endpoint, credentials);
        Assert.NotEqual(first, renewed);
        var claims = TestVapid.VerifiedClaims(renewed, credentials.VapidPublicKey);
        Assert.Equal(clock.GetUtcNow().AddHours(12).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
    }
}
