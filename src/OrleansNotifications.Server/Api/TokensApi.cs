using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Api;

/// <summary>App tokens (OAuth 2.0 client credentials, RFC 6749 §4.4) and user tokens for devices.</summary>
public static class TokensApi
{
    public static IEndpointRouteBuilder MapOAuthToken(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/oauth2/token", IssueAppToken).DisableAntiforgery();
        return routes;
    }

    public static RouteGroupBuilder MapUserTokens(this RouteGroupBuilder group)
    {
        group.MapPost("/tokens", IssueUserToken);
        return group;
    }

    private static async Task<IResult> IssueAppToken(
        HttpRequest request, IAppStore apps, TokenService tokens, IOptions<NotificationsOptions> options)
    {
        // RFC 6749 §4.4.2: the token request is application/x-www-form-urlencoded (multipart is not).
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            // 415 as for every other route (API.md, Errors), in the token endpoint's own error format.
            return OAuthFailure(request.ContentLength is 0 || (request.ContentLength is null && mediaType is null)
                    ? StatusCodes.Status400BadRequest
                    : StatusCodes.Status415UnsupportedMediaType,
                "invalid_request", "Send an application/x-www-form-urlencoded body.");
        }

        IFormCollection form;
        var buffer = ArrayPool<byte>.Shared.Rent(JsonBody.MaxBytes + 1);
        try
        {
            // Counted as every other body is (a chunked one too), then parsed with the framework's own form reader.
            var length = await JsonBody.ReadContentAsync(request, buffer);
            if (length < 0)
            {
                return JsonBody.TooLarge();
            }

            form = new FormCollection(await new FormReader(Encoding.UTF8.GetString(buffer, 0, length)).ReadFormAsync());
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            return OAuthFailure(StatusCodes.Status400BadRequest, "invalid_request", "The form body is malformed.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
        if (form.FirstOrDefault(field => field.Value.Count > 1) is { Key: { } repeated })
        {
            return OAuthFailure(StatusCodes.Status400BadRequest, "invalid_request", $"{repeated} is given more than once.");
        }

        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
        {
            return OAuthFailure(StatusCodes.Status400BadRequest, "invalid_request", "grant_type is required.");
        }

        if (grantType != "client_credentials")
        {
            return OAuthFailure(StatusCodes.Status400BadRequest, "unsupported_grant_type", "Only client_credentials is supported.");
        }

        var (clientId, clientSecret) = ClientCredentials(request, form);
        var app = clientId is null ? null : await apps.FindByClientIdAsync(clientId);
        if (app is null || clientSecret is null
            || !CryptographicOperations.FixedTimeEquals(app.SecretHash, SHA256.HashData(Encoding.UTF8.GetBytes(clientSecret))))
        {
            return OAuthFailure(StatusCodes.Status401Unauthorized, "invalid_client", "Unknown client or wrong secret.");
        }

        var lifetime = options.Value.AppTokenLifetimeSeconds;
        var (token, _) = tokens.IssueAppToken(app.AppId, app.ClientId, TimeSpan.FromSeconds(lifetime));
        Credentials.NotCached(request.HttpContext.Response);
        return TypedResults.Json(new TokenResponse(token, "Bearer", lifetime), ServerJsonContext.Default.TokenResponse);
    }

    /// <summary>Form fields, or HTTP Basic as RFC 6749 §2.3.1 prefers.</summary>
    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
            }

            return (null, null);
        }

        return (form["client_id"].FirstOrDefault(), form["client_secret"].FirstOrDefault());
    }

    private static IResult OAuthFailure(int status, string error, string description)
    {
        var result = TypedResults.Json(new OAuthError(error, description), ServerJsonContext.Default.OAuthError, statusCode: status);
        return status == StatusCodes.Status401Unauthorized ? new WithHeader(result, "WWW-Authenticate", "Basic realm=\"token\"") : result;
    }

    private static async Task<IResult> IssueUserToken(CurrentUser user, HttpRequest request, TokenService tokens)
    {
        var body = await JsonBody.ReadAsync(request, ServerJsonContext.Default.UserTokenRequest, optional: true, empty: new UserTokenRequest());
        if (body.Error is not null)
        {
            return body.Error;
        }

        var errors = new ValidationErrors();
        errors.RejectUnknown(body.Value!.Unknown);
        var seconds = body.Value.ExpiresInSeconds ?? 3600;
        if (seconds is < 60 or > 86400)
        {
            errors.Add("expiresInSeconds", "Must be between 60 and 86400.");
        }

        if (errors.Any)
        {
            return Problems.Validation(errors);
        }

        var (token, expires) = tokens.IssueUserToken(user.Key, TimeSpan.FromSeconds(seconds));
        Credentials.NotCached(request.HttpContext.Response);
        return TypedResults.Json(new UserTokenResponse(token, expires), ServerJsonContext.Default.UserTokenResponse,
            statusCode: StatusCodes.Status201Created);
    }

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
