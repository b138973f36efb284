using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.Apns;

/// <summary>APNs provider tokens (ES256 JWT), one per team and key, reused until they near Apple's limits.</summary>
internal sealed class ApnsTokenCache(TimeProvider time)
{
    // Apple refuses tokens older than an hour and answers TooManyProviderTokenUpdates to refreshes within 20 minutes.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(50);

    private readonly ConcurrentDictionary<(string TeamId, string KeyId), (string Jwt, DateTimeOffset IssuedAt)> _tokens = new();

    /// <exception cref="ArgumentException">The key is not a PEM P-256 private key.</exception>
    /// <exception cref="CryptographicException">The key is not a PEM P-256 private key.</exception>
    public string Get(ApnsCredentials credentials)
    {
        var now = time.GetUtcNow();
        var key = (credentials.TeamId, credentials.KeyId);
        if (_tokens.TryGetValue(key, out var cached) && now - cached.IssuedAt < Lifetime)
        {
            return cached.Jwt;
        }

        var jwt = Sign(credentials, now);
        _tokens[key] = (jwt, now);
        return jwt;
    }

    /// <summary>Forgets a token APNs refused; a fresher one made meanwhile by another send is kept.</summary>
    public void Invalidate(ApnsCredentials credentials, string jwt)
    {
        var key = (credentials.TeamId, credentials.KeyId);
        if (_tokens.TryGetValue(key, out var cached) && cached.Jwt == jwt)
        {
            _tokens.TryRemove(KeyValuePair.Create(key, cached));
        }
    }

    private static string Sign(ApnsCredentials credentials, DateTimeOffset now)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(credentials.PrivateKeyPem);
        if (key.KeySize != 256)
        {
            throw new ArgumentException("the APNs key must be a P-256 key", nameof(credentials));
        }

        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = credentials.KeyId };
        var claims = new JsonObject { ["iss"] = credentials.TeamId, ["iat"] = now.ToUnixTimeSeconds() };
        var signingInput = $"{Encode(header)}.{Encode(claims)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    private static string Encode(JsonObject part) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(part.ToJsonString()));
}
