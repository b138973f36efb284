using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push.WebPush;

namespace OrleansNotifications.Tests.Push;

public sealed class WebPushEncryptionTests
{
    // RFC 8291 Appendix A (and §5), checked against several independent implementations of the same example.
    private const string Plaintext = "When I grow up, I want to be a watermelon";
    private const string SenderPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private const string SenderPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string UserAgentPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string UserAgentPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string Salt = "DGv6ra1nlYgDCS1FRnbzlw";
    private const string AuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
    private const string Body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_y" +
        "l95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    [Fact]
    public void Encrypt_WithTheRfc8291AppendixAKeysAndSalt_ProducesTheRfcBodyByteForByte()
    {
        using var sender = KeyPair(SenderPublic, SenderPrivate);

        var body = WebPushEncryption.Encrypt(
            Encoding.UTF8.GetBytes(Plaintext), Decode(UserAgentPublic), Decode(AuthSecret), sender, Decode(Salt));

        Assert.Equal(Body, Base64Url.EncodeToString(body));
    }

    [Fact]
    public void Decrypt_OfTheRfcBody_WithTheUserAgentKey_GivesTheRfcPlaintext()
    {
        // Checks the test's own decryption against the RFC, so the round trips below mean something.
        using var browser = new BrowserSubscription(KeyPair(UserAgentPublic, UserAgentPrivate), Decode(AuthSecret));

        Assert.Equal(UserAgentPublic, Base64Url.EncodeToString(browser.PublicKey));
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(browser.Decrypt(Decode(Body))));
    }

    [Fact]
    public void Encrypt_WithFreshKeys_RoundTripsAndUsesANewSenderKeyAndSaltEachTime()
    {
        using var browser = BrowserSubscription.Create();
        var plaintext = RandomNumberGenerator.GetBytes(1000);

        var first = WebPushEncryption.Encrypt(plaintext, browser.PublicKey, browser.AuthSecret);
        var second = WebPushEncryption.Encrypt(plaintext, browser.PublicKey, browser.AuthSecret);

        Assert.Equal(plaintext, browser.Decrypt(first));
        Assert.Equal(plaintext, browser.Decrypt(second));
        Assert.NotEqual(first[..16], second[..16]);
        Assert.NotEqual(first[21..86], second[21..86]);
        Assert.Equal(65, first[20]);
    }

    [Fact]
    public void Encrypt_TheLargestPlaintext_FillsExactly4096Bytes_AndOneMoreByteIsRefused()
    {
        using var browser = BrowserSubscription.Create();

        var body = WebPushEncryption.Encrypt(new byte[WebPushEncryption.MaxPlaintextLength], browser.PublicKey, browser.AuthSecret);

        Assert.Equal(4096, body.Length);
        Assert.Throws<ArgumentException>(() =>
            WebPushEncryption.Encrypt(new byte[WebPushEncryption.MaxPlaintextLength + 1], browser.PublicKey, browser.AuthSecret));
    }

    [Fact]
    public void Plaintext_ThatWouldNotFitOneBody_LeavesRawContentOut_AndKeepsTheRest()
    {
        var notification = new Notification
        {
            Id = "n-1",
            Payload = new Payload(new string('x', 5000), new VisualContent("Title", "Body")),
        };
        var message = new PushMessage(
            PushMessageKind.Notification, ChangeKind.Created, "n-1", 7, notification, null, Priority.Normal, DateTimeOffset.UtcNow);

        var plaintext = WebPushPlaintext.Create(message);

        Assert.NotNull(plaintext);
        Assert.True(plaintext.Length <= WebPushEncryption.MaxPlaintextLength);
        var entry = JsonDocument.Parse(plaintext).RootElement;
        Assert.Equal("created", entry.GetProperty("kind").GetString());
        Assert.Equal(7, entry.GetProperty("sequence").GetInt64());
        var payload = entry.GetProperty("notification").GetProperty("payload");
        Assert.False(payload.TryGetProperty("rawContent", out _));
        Assert.Equal("Title", payload.GetProperty("visualContent").GetProperty("title").GetString());
    }

    private static byte[] Decode(string base64Url) => Base64Url.DecodeFromChars(base64Url);

    private static ECDiffieHellman KeyPair(string publicPoint, string privateScalar)
    {
        var point = Decode(publicPoint);
        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
            D = Decode(privateScalar),
        });
    }
}
