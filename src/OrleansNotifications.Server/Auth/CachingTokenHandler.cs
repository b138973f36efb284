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
    // Bounded: an app may mint many user tokens; at ~2 KB an entry this caps the cache near 20 MB.
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, TokenValidationResult> _validated = new(StringComparer.Ordinal);
    private int _entries;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_validated.TryGetValue(token, out var cached))
        {
            if (cached.SecurityToken.ValidTo + ConfigureJwtBearer.ClockSkew >= time.GetUtcNow().UtcDateTime)
            {
                return cached;
            }

            if (_validated.TryRemove(token, out _))
            {
                Interlocked.Decrement(ref _entries);
            }
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            if (Interlocked.Increment(ref _entries) > MaxEntries)
            {
                // Crude but bounded (and drops expired entries too): a burst of distinct tokens only costs re-validation.
                _validated.Clear();
                Interlocked.Exchange(ref _entries, 1);
            }

            if (!_validated.TryAdd(token, result))
            {
                Interlocked.Decrement(ref _entries);
            }
        }

        return result;
    }
}
