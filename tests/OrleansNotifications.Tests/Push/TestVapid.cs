using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Tests.Push;

/// <summary>An app's VAPID key pair, and the push service's check of a <c>vapid t=…, k=…</c> header.</summary>
public static class TestVapid
{
    public static WebPushCredentials CreateCredentials(string subject = "mailto:ops@example.com")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return new WebPushCredentials(
            subject, Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D));
    }

    /// <summary>Parses the header, verifies the JWT's ES256 signature with its <c>k</c> and returns the claims.</summary>
    public static JsonElement VerifiedClaims(string authorization, string expectedPublicKey)
    {
        var match = Regex.Match(authorization, "^vapid t=([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$");
        Assert.True(match.Success, authorization);
        Assert.Equal(expectedPublicKey, match.Groups[2].Value);

        var parts = match.Groups[1].Value.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());

        var point = Base64Url.DecodeFromChars(match.Groups[2].Value);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
        });
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length); // IEEE P1363 r||s, not DER
        Assert.True(key.VerifyData(
            Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }
}
