using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansNotifications.Server.Auth;

/// <summary>
/// Checks our own HS256 tokens: right issuer and audience, our key, unexpired by the injected clock (so tests that move time
/// move token expiry too). <c>alg:none</c>, other algorithms and foreign keys fail signature validation.
/// Each distinct token is validated once per node: an app server sends the same bearer token with every request for an
/// hour, and re-checking its HMAC and rebuilding its claims each time was a measurable share of a publish's CPU. Only
/// successes are kept, keyed by the exact token text (so any tampering misses), and a kept token still expires on time.
/// </summary>
public sealed class BearerTokens
{
    // For not-before only: a token minted on a node whose clock runs a little ahead is still good here. Expiry has no grace:
    // the token's expiresDateTime, which this service itself told the client, is when it stops working (RFC 7519 §4.1.4).
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    // Bounded: an app may mint many user tokens. At ~1.5 KB an entry (the token's text, three claims) this caps the cache
    // near 15 MB.
    private const int MaxEntries = 10_000;

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Validated>.AlternateLookup<ReadOnlySpan<char>> _byText;
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _time;
    private int _entries;

    public BearerTokens(TokenSigningKey signingKey, TimeProvider time)
    {
        _time = time;
        _byText = _validated.GetAlternateLookup<ReadOnlySpan<char>>();
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = TokenService.Issuer,
            ValidAudience = TokenService.Audience,
            IssuerSigningKey = signingKey.Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } e && Unexpired(e) && (notBefore is not { } nb || time.GetUtcNow().UtcDateTime >= nb - ClockSkew),
            NameClaimType = TokenClaims.Subject,
        };
    }

    /// <summary>
    /// The outcome for <paramref name="token"/> as the authentication handler reports it. A token seen before completes
    /// at once with the same result object, so a request carrying it allocates nothing here.
    /// </summary>
    public Task<AuthenticateResult> AuthenticateAsync(ReadOnlySpan<char> token)
    {
        if (_byText.TryGetValue(token, out var kept))
        {
            if (Unexpired(kept.ValidTo))
            {
                return kept.Result;
            }

            if (_byText.TryRemove(token, out _, out _))
            {
                Interlocked.Decrement(ref _entries);
            }
        }

        return ValidateAsync(token.ToString());
    }

    private bool Unexpired(DateTime expires) => _time.GetUtcNow().UtcDateTime < expires;

    private async Task<AuthenticateResult> ValidateAsync(string token)
    {
        var validation = await Handler.ValidateTokenAsync(token, _parameters);
        if (!validation.IsValid)
        {
            return AuthenticateResult.Fail(validation.Exception ?? new SecurityTokenValidationException("The token is not valid."));
        }

        var validTo = validation.SecurityToken.ValidTo;
        // ExpiresUtc lets the hub close a connection when its token expires (CloseOnAuthenticationExpiration).
        var properties = new AuthenticationProperties { ExpiresUtc = new DateTimeOffset(validTo, TimeSpan.Zero) };
        var result = AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(Kept(validation.ClaimsIdentity)), properties, BearerTokenHandler.SchemeName));
        if (Interlocked.Increment(ref _entries) > MaxEntries)
        {
            // Crude but bounded (and drops expired entries too): a burst of distinct tokens only costs re-validation.
            _validated.Clear();
            Interlocked.Exchange(ref _entries, 1);
        }

        if (!_validated.TryAdd(token, new Validated(Task.FromResult(result), validTo)))
        {
            Interlocked.Decrement(ref _entries);
        }

        return result;
    }

    /// <summary>
    /// Only the claims the routes read (<see cref="TokenClaims"/>). The validated identity also holds the parsed token, its
    /// JSON claim sets and every claim with a property bag: about 4 KiB, kept here for an hour and by every hub connection
    /// for its whole life.
    /// </summary>
    private static ClaimsIdentity Kept(ClaimsIdentity validated)
    {
        var kept = new ClaimsIdentity(BearerTokenHandler.SchemeName, TokenClaims.Subject, roleType: null);
        foreach (var type in (ReadOnlySpan<string>)[TokenClaims.Subject, TokenClaims.App, TokenClaims.Use])
        {
            if (validated.FindFirst(type)?.Value is { } value)
            {
                kept.AddClaim(new Claim(type, value));
            }
        }

        return kept;
    }

    private sealed record Validated(Task<AuthenticateResult> Result, DateTime ValidTo);
}
