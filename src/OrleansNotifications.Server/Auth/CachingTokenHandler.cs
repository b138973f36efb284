using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansNotifications.Server.Auth;

/// <summary>
/// Validates each distinct token once per node. An app server sends the same bearer token with every request for an hour,
/// and re-checking its HMAC and rebuilding its claims each time was a measurable share of a publish's CPU. Only successful
/// validations are cached, keyed by the exact token text (so any tampering misses); a cached token still expires on time.
/// </summary>
internal sealed class CachingTokenHandler(TimeProvider time) : JsonWebTokenHandler
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, TokenValidationResult> _validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_validated.TryGetValue(token, out var cached))
        {
            if (cached.SecurityToken.ValidTo + ConfigureJwtBearer.ClockSkew >= time.GetUtcNow().UtcDateTime)
            {
                return cached;
            }

            _validated.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            if (_validated.Count >= MaxEntries)
            {
                _validated.Clear(); // crude but bounded: a burst of distinct tokens only costs re-validation
            }

            _validated[token] = result;
        }

        return result;
    }
}
