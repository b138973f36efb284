using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OrleansNotifications.Server.Hubs;

namespace OrleansNotifications.Server.Auth;

/// <summary>
/// Accepts only our own HS256 tokens: right issuer and audience, our key, unexpired by the injected clock (so tests that move
/// time move token expiry too). <c>alg:none</c>, other algorithms and foreign keys fail signature validation.
/// </summary>
internal sealed class ConfigureJwtBearer(TokenSigningKey signingKey, TimeProvider time, CachingTokenHandler tokenHandler)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public void Configure(string? name, JwtBearerOptions options)
    {
        options.MapInboundClaims = false;
        options.TimeProvider = time;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(tokenHandler);
        options.Events = new JwtBearerEvents
        {
            // Browsers cannot set headers on WebSocket or EventSource requests, so the SignalR client sends the token in
            // the query string; only the hub accepts it there.
            OnMessageReceived = context =>
            {
                if (context.HttpContext.Request.Path.StartsWithSegments(NotificationHub.Path)
                    && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                {
                    context.Token = token;
                }

                return Task.CompletedTask;
            },
        };
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = TokenService.Issuer,
            ValidAudience = TokenService.Audience,
            IssuerSigningKey = signingKey.Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } e && now <= e + ClockSkew && (notBefore is not { } nb || now >= nb - ClockSkew);
            },
            NameClaimType = TokenClaims.Subject,
        };
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
}
