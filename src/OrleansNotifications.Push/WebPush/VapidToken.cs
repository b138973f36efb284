using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.WebPush;

/// <summary>
/// Issues RFC 8292 (VAPID) <c>Authorization</c> values, <c>vapid t=&lt;JWT&gt;, k=&lt;public key&gt;</c>, reusing each one
/// per push service origin and app key until it is close to expiry: signing on every message would be wasted work.
/// </summary>
public sealed class VapidToken(TimeProvider time)
{
    /// <summary>How long a token is valid; RFC 8292 §2 lets push services reject anything over 24 hours ahead.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    // Renewing well before expiry leaves room for clock skew and for a message that sits in a retry queue.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromHours(1);

    // Origins are few (one per push service) and apps bounded, so this only guards against unbounded growth.
    private const int MaxCachedTokens = 10_000;

    private static readonly string Header = Base64Url.EncodeToString("""{"typ":"JWT","alg":"ES256"}"""u8);

    private readonly ConcurrentDictionary<(string Audience, string Subject, string PublicKey), Issued> _cache = new();

    /// <summary>The <c>Authorization</c> header value for a request to <paramref name="endpoint"/>.</summary>
    /// <exception cref="CryptographicException">The credentials are not a P-256 key pair.</exception>
    /// <exception cref="FormatException">A key is not base64url.</exception>
    public string AuthorizationFor(Uri endpoint, WebPushCredentials credentials)
    {
        var now = time.GetUtcNow();
        var key = (Audience: AudienceOf(endpoint), credentials.Subject, credentials.VapidPublicKey);
        if (_cache.TryGetValue(key, out var cached) && cached.Expires - now > RenewBefore)
        {
            return cached.Authorization;
        }

        var expires = now + Lifetime;
        var parameters = P256.KeyPair(Base64Url.DecodeFromChars(credentials.VapidPublicKey), Base64Url.DecodeFromChars(credentials.VapidPrivateKey));
        using var signer = ECDsa.Create(parameters);
        var jwt = CreateJwt(key.Audience, credentials.Subject, expires, signer);
        var issued = new Issued($"vapid t={jwt}, k={credentials.VapidPublicKey}", expires);
        if (_cache.Count >= MaxCachedTokens)
        {
            _cache.Clear();
        }

        _cache[key] = issued;
        return issued.Authorization;
    }

    /// <summary>The JWT <c>aud</c>: the origin of the push resource (scheme, host and a non-default port).</summary>
    public static string AudienceOf(Uri endpoint) => $"{endpoint.Scheme}://{endpoint.Authority}";

    internal static string CreateJwt(string audience, string subject, DateTimeOffset expires, ECDsa signer)
    {
        using var claims = new MemoryStream();
        using (var writer = new Utf8JsonWriter(claims))
        {
            writer.WriteStartObject();
            writer.WriteString("aud", audience);
            writer.WriteNumber("exp", expires.ToUnixTimeSeconds());
            writer.WriteString("sub", subject);
            writer.WriteEndObject();
        }

        var signingInput = $"{Header}.{Base64Url.EncodeToString(claims.ToArray())}";
        var signature = signer.SignData(
            Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    private sealed record Issued(string Authorization, DateTimeOffset Expires);
}
