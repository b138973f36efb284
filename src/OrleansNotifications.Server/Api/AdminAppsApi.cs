using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Validation;

namespace OrleansNotifications.Server.Api;

/// <summary>Operators create apps (tenants). The client secret is returned once and only its hash is kept.</summary>
public static class AdminAppsApi
{
    public static RouteGroupBuilder MapAdminApps(this RouteGroupBuilder group)
    {
        group.MapPost("/apps", Create);
        return group;
    }

    private static async Task<IResult> Create(HttpRequest request, IAppStore apps, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.AppCreateRequest, optional: true, empty: new AppCreateRequest());
        if (body.Error is not null)
        {
            return body.Error;
        }

        var create = body.Value!;
        var errors = new ValidationErrors();
        errors.RejectUnknown(create.Unknown);
        if (create.AppId is not null && !Identifiers.IsAppId(create.AppId))
        {
            errors.Add("appId", $"Must be {Identifiers.AppIdRule}.");
        }

        if (create.DisplayName is { Length: 0 or > 256 })
        {
            errors.Add("displayName", "Must be 1–256 characters.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        using var vapid = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = vapid.ExportParameters(includePrivateParameters: true);
        var vapidPublicKey = Base64Url.EncodeToString([0x04, .. key.Q.X!, .. key.Q.Y!]);
        var app = new AppRecord(
            create.AppId ?? "app-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            create.DisplayName,
            "cid-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(15)),
            SHA256.HashData(Encoding.UTF8.GetBytes(secret)),
            vapidPublicKey,
            Base64Url.EncodeToString(key.D!),
            time.GetUtcNow());

        if (!await apps.TryCreateAsync(app))
        {
            return Problems.Problem(StatusCodes.Status409Conflict, "app-exists", "The app already exists.", $"An app with id '{app.AppId}' exists.");
        }

        Credentials.NotCached(request.HttpContext.Response); // the client secret, shown once
        return TypedResults.Json(
            new AppCreatedResponse(app.AppId, app.DisplayName, app.ClientId, secret, vapidPublicKey),
            ServerJsonContext.Default.AppCreatedResponse,
            statusCode: StatusCodes.Status201Created);
    }
}
