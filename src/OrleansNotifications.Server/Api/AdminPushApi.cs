using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Api;

/// <summary>
/// Per-app push credentials (admin key): <c>PUT /v1/admin/apps/{appId}/push/{fcm|apns|webpush}</c>. Each is checked as far as
/// it can be without calling the provider (keys parse, ids have their format); the answer echoes what was set, never a secret.
/// </summary>
public static partial class AdminPushApi
{
    public static RouteGroupBuilder MapAdminPush(this RouteGroupBuilder group)
    {
        group.MapPut("/apps/{appId}/push/fcm", PutFcm);
        group.MapPut("/apps/{appId}/push/apns", PutApns);
        group.MapPut("/apps/{appId}/push/webpush", PutWebPush);
        return group;
    }

    private static async Task<IResult> PutFcm(
        string appId, HttpRequest request, IPushCredentialStore store, TimeProvider time, IOptions<NotificationsOptions> options)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.FcmServiceAccountRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var account = body.Value!;
        var errors = new ValidationErrors();
        if (account.Type != "service_account")
        {
            errors.Add("type", "Must be \"service_account\": upload the service account's JSON key file.");
        }

        if (account.ProjectId is null || !ProjectId().IsMatch(account.ProjectId))
        {
            errors.Add("project_id", "Required: the Firebase project id.");
        }

        if (string.IsNullOrWhiteSpace(account.ClientEmail))
        {
            errors.Add("client_email", "Required.");
        }

        if (!IsPrivateKey(account.PrivateKey, rsa: true))
        {
            errors.Add("private_key", "Required: the service account's RSA private key (PEM).");
        }

        if (!IsAllowedUrl(account.TokenUri, options.Value.Push.WebPush.AllowInsecureEndpoints))
        {
            errors.Add("token_uri", "Required: an https URL (the Google OAuth 2.0 token endpoint).");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var json = JsonSerializer.Serialize(account, ServerJsonContext.Default.FcmServiceAccountRequest);
        return await SaveAsync(store, appId, PlatformType.Android, new FcmCredentials(json), time,
            new PushSettingsResponse("android", ProjectId: account.ProjectId, ClientEmail: account.ClientEmail));
    }

    private static async Task<IResult> PutApns(string appId, HttpRequest request, IPushCredentialStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.ApnsCredentialsRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var apns = body.Value!;
        var errors = new ValidationErrors();
        errors.RejectUnknown(apns.Unknown);
        if (apns.TeamId is null || !AppleId().IsMatch(apns.TeamId))
        {
            errors.Add("teamId", "Required: the 10-character Apple team id.");
        }

        if (apns.KeyId is null || !AppleId().IsMatch(apns.KeyId))
        {
            errors.Add("keyId", "Required: the 10-character id of the APNs key.");
        }

        if (!IsPrivateKey(apns.PrivateKey, rsa: false))
        {
            errors.Add("privateKey", "Required: the APNs signing key (.p8 file contents, an EC P-256 key in PEM).");
        }

        if (string.IsNullOrWhiteSpace(apns.BundleId) || apns.BundleId.Length > 255)
        {
            errors.Add("bundleId", "Required: the app's bundle id (the APNs topic).");
        }

        var environment = apns.Environment?.ToLowerInvariant() switch
        {
            null or "production" => ApnsEnvironment.Production,
            "development" or "sandbox" => ApnsEnvironment.Development,
            _ => (ApnsEnvironment?)null,
        };
        if (environment is null)
        {
            errors.Add("environment", "Must be production or development.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var settings = new ApnsCredentials(apns.TeamId!, apns.KeyId!, apns.PrivateKey!, apns.BundleId!, environment!.Value);
        return await SaveAsync(store, appId, PlatformType.Ios, settings, time, new PushSettingsResponse("ios",
            TeamId: settings.TeamId, KeyId: settings.KeyId, BundleId: settings.BundleId,
            Environment: settings.Environment == ApnsEnvironment.Production ? "production" : "development"));
    }

    private static async Task<IResult> PutWebPush(string appId, HttpRequest request, IPushCredentialStore store, IAppStore apps, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.WebPushSettingsRequest);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var errors = new ValidationErrors();
        errors.RejectUnknown(body.Value!.Unknown);
        var subject = body.Value.Subject;
        if (subject is null || !(subject.StartsWith("mailto:", StringComparison.Ordinal) && subject.Length > 7 || IsAllowedUrl(subject, false)))
        {
            errors.Add("subject", "Required: a mailto: address or an https URL where the push service can reach the operator (RFC 8292).");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var app = await apps.GetAsync(appId);
        return await SaveAsync(store, appId, PlatformType.WebPush, new WebPushSettings(subject!), time,
            new PushSettingsResponse("webpush", Subject: subject, VapidPublicKey: app?.VapidPublicKey));
    }

    private static async Task<IResult> SaveAsync<TSettings>(
        IPushCredentialStore store, string appId, PlatformType platform, TSettings settings, TimeProvider time, PushSettingsResponse answer) =>
        await store.SaveAsync(appId, platform, settings, time.GetUtcNow())
            ? TypedResults.Json(answer, ServerJsonContext.Default.PushSettingsResponse)
            : Problems.NotFound("No app has that id.");

    private static bool IsPrivateKey(string? pem, bool rsa)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return false;
        }

        try
        {
            if (rsa)
            {
                using var key = RSA.Create();
                key.ImportFromPem(pem);
            }
            else
            {
                using var key = ECDsa.Create();
                key.ImportFromPem(pem);
                return key.ExportParameters(false).Curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value;
            }

            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool IsAllowedUrl(string? value, bool allowHttp) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (allowHttp && uri.Scheme == Uri.UriSchemeHttp));

    [GeneratedRegex("^[a-z][a-z0-9-]{3,62}$")]
    private static partial Regex ProjectId();

    [GeneratedRegex("^[A-Z0-9]{10}$")]
    private static partial Regex AppleId();
}
