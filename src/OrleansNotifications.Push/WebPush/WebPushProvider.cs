using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Push.WebPush;

/// <summary>
/// Sends to a browser's push service: RFC 8030 with VAPID (RFC 8292) and an <c>aes128gcm</c> body (RFC 8291).
/// Pass a shared <see cref="VapidToken"/> when the provider is created per use (a typed HttpClient), so tokens are reused.
/// </summary>
public sealed class WebPushProvider(HttpClient http, TimeProvider time, IOptions<PushOptions> options, VapidToken? vapid = null) : IPushProvider
{
    private const int ErrorBodySnippet = 200;

    private readonly VapidToken _vapid = vapid ?? new VapidToken(time);

    public PlatformType Platform => PlatformType.WebPush;

    public async Task<PushOutcome> SendAsync(Subscription subscription, PushMessage message, AppPushCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.WebPush is not { } vapidCredentials)
        {
            return PushOutcome.Failed("web push credentials are not configured");
        }

        if (subscription.WebPush is not { } target || !Uri.TryCreate(target.Endpoint, UriKind.Absolute, out var endpoint))
        {
            return PushOutcome.Failed("the subscription has no valid web push endpoint");
        }

        if (WebPushPlaintext.Create(message) is not { } plaintext)
        {
            return PushOutcome.Failed($"the change entry does not fit in {WebPushEncryption.RecordSize} bytes even without rawContent");
        }

        HttpRequestMessage request;
        try
        {
            var body = WebPushEncryption.Encrypt(plaintext, Base64Url.DecodeFromChars(target.P256dh), Base64Url.DecodeFromChars(target.Auth));
            request = CreateRequest(endpoint, message, body, _vapid.AuthorizationFor(endpoint, vapidCredentials));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            // Malformed keys fail every attempt alike; retrying would not help.
            return PushOutcome.Failed($"web push keys are unusable: {e.Message}");
        }

        using (request)
        {
            return await SendAsync(request, cancellationToken);
        }
    }

    private HttpRequestMessage CreateRequest(Uri endpoint, PushMessage message, byte[] body, string authorization)
    {
        var ttl = Math.Max(0, (long)(message.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Content.Headers.ContentEncoding.Add("aes128gcm");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("TTL", ttl.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Urgency", message.Priority switch
        {
            Priority.High => "high",
            Priority.Low => "low",
            _ => "normal",
        });
        if (message.CollapseKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Topic", TopicOf(message.CollapseKey));
        }

        return request;
    }

    /// <summary>
    /// RFC 8030 §5.4 allows at most 32 characters of the URL-safe base64 alphabet, while an appNotificationId may be longer
    /// or use other characters: a hash keeps equal ids colliding and different ones apart.
    /// </summary>
    internal static string TopicOf(string collapseKey) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(collapseKey)).AsSpan(0, 24));

    private async Task<PushOutcome> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return await ClassifyAsync(response, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PushOutcome.Retry("the push service did not answer in time");
        }
        catch (HttpRequestException e)
        {
            return PushOutcome.Retry($"the push service is unreachable: {e.Message}");
        }
    }

    private async Task<PushOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return PushOutcome.Delivered;
        }

        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return PushOutcome.Invalid($"the push service answered {status}: the subscription is gone");
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests || status >= 500)
        {
            return PushOutcome.Retry($"the push service answered {status}", RetryAfter.From(response, time));
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return PushOutcome.Failed($"the push service answered {status}: {(text.Length > ErrorBodySnippet ? text[..ErrorBodySnippet] : text)}");
    }
}
