using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Auth;

/// <summary>Issues the signed JWTs of the contract: app tokens (client credentials) and user tokens (for devices).</summary>
public sealed class TokenService(TokenSigningKey signingKey, TimeProvider time)
{
    public const string Issuer = "orleans-notifications";
    public const string Audience = "orleans-notifications";

    private static readonly JsonWebTokenHandler Handler = new();

    public (string Token, DateTimeOffset Expires) IssueAppToken(string appId, string clientId, TimeSpan lifetime) =>
        Issue(lifetime, new Claim(TokenClaims.Subject, clientId), new Claim(TokenClaims.App, appId), new Claim(TokenClaims.Use, TokenClaims.AppUse));

    public (string Token, DateTimeOffset Expires) IssueUserToken(UserKey user, TimeSpan lifetime) =>
        Issue(lifetime, new Claim(TokenClaims.Subject, user.UserId), new Claim(TokenClaims.App, user.AppId), new Claim(TokenClaims.Use, TokenClaims.UserUse));

    private (string, DateTimeOffset) Issue(TimeSpan lifetime, params Claim[] claims)
    {
        var now = time.GetUtcNow();
        // exp is whole seconds: rounded up, so a token never stops working before now + lifetime (expires_in).
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + lifetime + TimeSpan.FromTicks(TimeSpan.TicksPerSecond - 1)).ToUnixTimeSeconds());
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
