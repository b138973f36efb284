using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OrleansNotifications.Push.WebPush;

/// <summary>
/// RFC 8291 message encryption for Web Push, content coding <c>aes128gcm</c> (RFC 8188), as a single record whose
/// header carries the sender's ephemeral public key.
/// </summary>
public static class WebPushEncryption
{
    /// <summary>The record size written in the header.</summary>
    public const int RecordSize = 4096;

    /// <summary>salt (16) | rs (4) | idlen (1) | sender public key (65).</summary>
    public const int HeaderLength = 16 + 4 + 1 + PublicKeyLength;

    /// <summary>
    /// The largest plaintext whose whole encrypted body stays within 4096 bytes, the payload size every push service must
    /// accept (RFC 8291 §4): header, plaintext, the 0x02 padding delimiter and the 16-byte tag.
    /// </summary>
    public const int MaxPlaintextLength = RecordSize - HeaderLength - 1 - TagLength;

    private const int PublicKeyLength = 65;
    private const int TagLength = 16;
    private const int SaltLength = 16;
    private const int AuthSecretLength = 16;

    private static readonly byte[] KeyInfoPrefix = Encoding.ASCII.GetBytes("WebPush: info\0");
    private static readonly byte[] CekInfo = Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0");
    private static readonly byte[] NonceInfo = Encoding.ASCII.GetBytes("Content-Encoding: nonce\0");

    /// <summary>Encrypts for the user agent's key (65-byte uncompressed P-256 point) and auth secret, with a fresh sender key and salt.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> userAgentPublicKey, ReadOnlySpan<byte> authSecret)
    {
        using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return Encrypt(plaintext, userAgentPublicKey, authSecret, sender, RandomNumberGenerator.GetBytes(SaltLength));
    }

    /// <summary>The deterministic core: the sender key pair and salt are given (only tests reuse them).</summary>
    internal static byte[] Encrypt(
        ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> userAgentPublicKey, ReadOnlySpan<byte> authSecret, ECDiffieHellman sender, ReadOnlySpan<byte> salt)
    {
        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new ArgumentException($"A Web Push plaintext holds at most {MaxPlaintextLength} bytes.", nameof(plaintext));
        }

        if (authSecret.Length != AuthSecretLength || salt.Length != SaltLength)
        {
            throw new ArgumentException("The auth secret and the salt are 16 bytes each.");
        }

        using var userAgent = ECDiffieHellman.Create(P256.PublicKey(userAgentPublicKey));
        var senderPublicKey = P256.Uncompressed(sender.ExportParameters(includePrivateParameters: false));
        var ecdhSecret = sender.DeriveRawSecretAgreement(userAgent.PublicKey);

        // RFC 8291 §3.3-3.4: each HMAC pair in the RFC is HKDF extract-then-expand with a one-block output.
        byte[] keyInfo = [.. KeyInfoPrefix, .. userAgentPublicKey, .. senderPublicKey];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret.ToArray(), keyInfo);
        var cek = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt.ToArray(), CekInfo);
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt.ToArray(), NonceInfo);

        var body = new byte[HeaderLength + plaintext.Length + 1 + TagLength];
        salt.CopyTo(body);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), RecordSize);
        body[20] = PublicKeyLength;
        senderPublicKey.CopyTo(body.AsSpan(21));

        byte[] padded = [.. plaintext, 0x02]; // the last (only) record's delimiter, no further padding
        var ciphertext = body.AsSpan(HeaderLength, padded.Length);
        using var aes = new AesGcm(cek, TagLength);
        aes.Encrypt(nonce, padded, ciphertext, body.AsSpan(HeaderLength + padded.Length));
        return body;
    }
}
