using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Tests.Push;

/// <summary>
/// The browser's side of RFC 8291: its key pair and auth secret, and decryption written straight from the RFC's HMAC
/// formulas (§3.3-3.4), independently of the sender's HKDF-based code, so a round trip checks one against the other.
/// </summary>
public sealed class BrowserSubscription(ECDiffieHellman key, byte[] authSecret) : IDisposable
{
    public byte[] PublicKey { get; } = Uncompressed(key.ExportParameters(includePrivateParameters: false).Q);

    public byte[] AuthSecret => authSecret;

    public static BrowserSubscription Create() =>
        new(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256), RandomNumberGenerator.GetBytes(16));

    public Subscription For(string endpoint) => new(
        "sub-1", new UserKey("app-1", "user-1"), PlatformType.WebPush, null, null,
        new WebPushTarget(endpoint, Base64Url.EncodeToString(PublicKey), Base64Url.EncodeToString(authSecret)),
        DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, SubscriptionStatus.Active);

    public byte[] Decrypt(byte[] body)
    {
        var salt = body[..16];
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16)));
        var idLength = body[20];
        var senderPublicKey = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderPublicKey[1..33], Y = senderPublicKey[33..65] },
        });
        var ecdhSecret = key.DeriveRawSecretAgreement(sender.PublicKey);
        var prkKey = HMACSHA256.HashData(authSecret, ecdhSecret);
        var ikm = HMACSHA256.HashData(prkKey, (byte[])[.. "WebPush: info\0"u8, .. PublicKey, .. senderPublicKey, 0x01]);
        var prk = HMACSHA256.HashData(salt, ikm);
        var cek = HMACSHA256.HashData(prk, (byte[])[.. "Content-Encoding: aes128gcm\0"u8, 0x01])[..16];
        var nonce = HMACSHA256.HashData(prk, (byte[])[.. "Content-Encoding: nonce\0"u8, 0x01])[..12];

        var padded = new byte[record.Length - 16];
        using var aes = new AesGcm(cek, 16);
        aes.Decrypt(nonce, record[..^16], record[^16..], padded);
        var end = Array.FindLastIndex(padded, b => b != 0);
        Assert.Equal(0x02, padded[end]); // the last record's delimiter
        return padded[..end];
    }

    public void Dispose() => key.Dispose();

    private static byte[] Uncompressed(ECPoint point) => [0x04, .. point.X!, .. point.Y!];
}
