using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansNotifications.Tests.Push;

/// <summary>
/// Google's OAuth2 token endpoint (RFC 7523 JWT bearer grant, assertion checked against the service account's key) and
/// FCM HTTP v1 <c>messages:send</c>, on one loopback server. Whatever does not match the real wire format is a problem.
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    public const string ProjectId = "demo-project";
    public const string ClientEmail = "push@demo-project.iam.gserviceaccount.com";
    public const string KeyId = "key-1";
    public const string GoogleTokenUri = "https://oauth2.googleapis.com/token";

    private readonly RSA _key = RSA.Create(2048);
    private LoopbackServer? _server;
    private int _tokenRequests;

    public string AccessToken { get; } = "ya29.fake-" + Guid.NewGuid().ToString("N");

    public int TokenRequests => _tokenRequests;

    /// <summary>Status the token endpoint answers with (its error body is the OAuth2 one).</summary>
    public int TokenStatus { get; set; } = 200;

    public ConcurrentQueue<string> Problems { get; } = new();

    public ConcurrentQueue<JsonNode> Messages { get; } = new();

    public const int MaxPayloadBytes = 4096;

    // Sizes counted as UTF-8, not as \uXXXX escapes.
    private static readonly System.Text.Json.JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Answers for the next sends (status, body, Retry-After); then 200.</summary>
    public ConcurrentQueue<(int Status, string Body, string? RetryAfter)> Responses { get; } = new();

    public Uri BaseUrl => _server!.BaseUrl;

    public string TokenUri => new Uri(BaseUrl, "token").AbsoluteUri;

    public string ServiceAccountJson => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = KeyId,
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "1234567890",
        ["token_uri"] = TokenUri,
    }.ToJsonString();

    public static async Task<FakeFcm> StartAsync()
    {
        var fake = new FakeFcm();
        fake._server = await LoopbackServer.StartAsync(HttpProtocols.Http1AndHttp2, app =>
        {
            app.MapPost("/token", fake.TokenAsync);
            app.MapPost("/v1/projects/{project}/messages:send", fake.SendAsync);
        });
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _key.Dispose();
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await request.ReadFormAsync();
        Check(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", $"grant_type {form["grant_type"]}");
        var parts = form["assertion"].ToString().Split('.');
        if (parts.Length != 3)
        {
            Check(false, "assertion is not a JWS");
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        Check(header["alg"]?.GetValue<string>() == "RS256", $"alg {header["alg"]}");
        Check(header["kid"]?.GetValue<string>() == KeyId, $"kid {header["kid"]}");
        Check(_key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "assertion signature");
        Check(claims["iss"]?.GetValue<string>() == ClientEmail, $"iss {claims["iss"]}");
        // Google.Apis.Auth posts to token_uri but always names Google's token endpoint as the audience, which Google expects.
        Check(claims["aud"]?.GetValue<string>() is { } aud && (aud == TokenUri || aud == GoogleTokenUri), $"aud {claims["aud"]}");
        Check(claims["scope"]?.GetValue<string>().Split(' ').Contains("https://www.googleapis.com/auth/firebase.messaging") == true, $"scope {claims["scope"]}");
        Check(claims["exp"]?.GetValue<long>() > claims["iat"]?.GetValue<long>(), "exp after iat");

        return TokenStatus != 200 || !Problems.IsEmpty
            ? Results.Json(new { error = "invalid_grant", error_description = string.Join("; ", Problems) }, statusCode: TokenStatus == 200 ? 400 : TokenStatus)
            : Results.Json(new { access_token = AccessToken, token_type = "Bearer", expires_in = 3600 });
    }

    private async Task<IResult> SendAsync(HttpContext context, string project)
    {
        Check(project == ProjectId, $"project {project}");
        Check(context.Request.Headers.Authorization == $"Bearer {AccessToken}", $"authorization {context.Request.Headers.Authorization}");
        Check(context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true, $"content type {context.Request.ContentType}");
        var message = (await JsonNode.ParseAsync(context.Request.Body))!;
        Messages.Enqueue(message);
        // FCM's MESSAGE_TOO_BIG: the payload (data and notification, keys and values) may not exceed 4096 bytes.
        var payloadBytes = Encoding.UTF8.GetByteCount(message["message"]?["data"]?.ToJsonString(Compact) ?? "")
            + Encoding.UTF8.GetByteCount(message["message"]?["notification"]?.ToJsonString(Compact) ?? "");
        if (payloadBytes > MaxPayloadBytes)
        {
            return Results.Json(new { error = new { code = 400, message = "Message is too big", status = "INVALID_ARGUMENT" } }, statusCode: 400);
        }

        if (!Responses.TryDequeue(out var next))
        {
            return Results.Json(new { name = $"projects/{ProjectId}/messages/0:1" });
        }

        if (next.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = next.RetryAfter;
        }

        return Results.Content(next.Body, "application/json", Encoding.UTF8, next.Status);
    }

    private void Check(bool condition, string what)
    {
        if (!condition)
        {
            Problems.Enqueue(what);
        }
    }
}
