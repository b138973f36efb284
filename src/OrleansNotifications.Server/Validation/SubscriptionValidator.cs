using System.Buffers.Text;
using System.Net;
using OrleansNotifications.Push;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Subscriptions;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Validation;

/// <summary>Checks a subscription body against the platform rules of the contract and builds the subscription to store.</summary>
public static partial class SubscriptionValidator
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    [GeneratedRegex("^([0-9a-fA-F]{2}){8,100}$")]
    private static partial Regex ApnsTokenPattern();

    public static Subscription? Validate(SubscriptionCreateRequest request, UserKey user, DateTimeOffset now, bool allowInsecureEndpoints, ValidationErrors errors)
    {
        errors.RejectUnknown(request.Unknown);
        if (request.DeviceId is { Length: 0 or > 128 })
        {
            errors.Add("deviceId", "Must be 1–128 characters.");
        }

        PlatformType platform = default;
        if (request.Platform is null)
        {
            errors.Add("platform", "Required: android, ios or webpush.");
        }
        else if (!WireNames.PlatformTypes.TryGetValue(request.Platform, out platform))
        {
            errors.Add("platform", "Must be android, ios or webpush.");
        }

        WebPushTarget? webPush = null;
        string? pushToken = null;
        if (!errors.Any)
        {
            if (platform == PlatformType.WebPush)
            {
                if (request.PushToken is not null)
                {
                    errors.Add("pushToken", "Not used for webpush; send webPush instead.");
                }

                webPush = WebPush(request.WebPush, allowInsecureEndpoints, errors);
            }
            else
            {
                if (request.WebPush is not null)
                {
                    errors.Add("webPush", "Only for the webpush platform.");
                }

                pushToken = request.PushToken;
                if (string.IsNullOrEmpty(pushToken) || pushToken.Length > 4096)
                {
                    errors.Add("pushToken", "Required for android and ios, at most 4096 characters.");
                }
                else if (platform == PlatformType.Ios && !ApnsTokenPattern().IsMatch(pushToken))
                {
                    errors.Add("pushToken", "An APNs device token is hexadecimal (e.g. 64 hex digits).");
                }
            }
        }

        return errors.Any
            ? null
            : new Subscription(NewId(), user, platform, request.DeviceId, pushToken, webPush, now, now + Lifetime, SubscriptionStatus.Active);
    }

    private static WebPushTarget? WebPush(WebPushRequest? request, bool allowInsecureEndpoints, ValidationErrors errors)
    {
        if (request is null)
        {
            errors.Add("webPush", "Required for webpush: endpoint and keys.");
            return null;
        }

        errors.RejectUnknown(request.Unknown, "webPush.");
        if (!Uri.TryCreate(request.Endpoint, UriKind.Absolute, out var endpoint) || request.Endpoint!.Length > 2048)
        {
            errors.Add("webPush.endpoint", "Required: an absolute https URL.");
        }
        else if (!allowInsecureEndpoints && (endpoint.Scheme != Uri.UriSchemeHttps || IsLocalOrPrivate(endpoint)))
        {
            // A push service lives on the public internet; anything else would let subscriptions probe our own network.
            errors.Add("webPush.endpoint", "Must be https and not a loopback or private address.");
        }
        else if (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)
        {
            errors.Add("webPush.endpoint", "Must be an http(s) URL.");
        }

        if (request.Keys is null)
        {
            errors.Add("webPush.keys", "Required: p256dh and auth.");
            return null;
        }

        errors.RejectUnknown(request.Keys.Unknown, "webPush.keys.");
        if (!IsP256PublicKey(request.Keys.P256dh))
        {
            errors.Add("webPush.keys.p256dh", "Must be an uncompressed P-256 public key (65 bytes), base64url.");
        }

        if (!TryDecode(request.Keys.Auth, out var auth) || auth.Length != 16)
        {
            errors.Add("webPush.keys.auth", "Must be a 16-byte auth secret, base64url.");
        }

        return errors.Any ? null : new WebPushTarget(request.Endpoint!, request.Keys.P256dh!, request.Keys.Auth!);
    }

    private static bool IsP256PublicKey(string? value)
    {
        if (!TryDecode(value, out var key) || key.Length != 65 || key[0] != 0x04)
        {
            return false;
        }

        try
        {
            using var ecdh = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = key[1..33], Y = key[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false; // not a point on the curve
        }
    }

    private static bool TryDecode(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        // Browsers send base64url without padding; accept padded and standard base64 too.
        var normalized = value.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (!Base64Url.IsValid(normalized))
        {
            return false;
        }

        bytes = Base64Url.DecodeFromChars(normalized);
        return true;
    }

    private static bool IsLocalOrPrivate(Uri endpoint)
    {
        if (endpoint.IsLoopback || endpoint.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(endpoint.DnsSafeHost, out var address) && PublicAddresses.IsLocalOrPrivate(address);
    }

    private static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
