using System.Security.Cryptography;

namespace OrleansNotifications.Push.WebPush;

/// <summary>P-256 keys in the forms Web Push uses: a 65-byte uncompressed point (0x04 | X | Y) and a 32-byte scalar.</summary>
internal static class P256
{
    public static ECParameters PublicKey(ReadOnlySpan<byte> point)
    {
        if (point.Length != 65 || point[0] != 0x04)
        {
            throw new CryptographicException("A P-256 public key is a 65-byte uncompressed point.");
        }

        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33].ToArray(), Y = point[33..].ToArray() },
        };
    }

    public static ECParameters KeyPair(ReadOnlySpan<byte> publicPoint, ReadOnlySpan<byte> privateScalar)
    {
        if (privateScalar.Length != 32)
        {
            throw new CryptographicException("A P-256 private key is a 32-byte scalar.");
        }

        var parameters = PublicKey(publicPoint);
        parameters.D = privateScalar.ToArray();
        return parameters;
    }

    public static byte[] Uncompressed(ECParameters parameters) => [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
}
