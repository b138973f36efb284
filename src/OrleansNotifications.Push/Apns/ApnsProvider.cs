using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Push.Apns;

/// <summary>iOS push: the APNs provider API over HTTP/2 with token (ES256 JWT) authentication.</summary>
public sealed class ApnsProvider(HttpClient http, TimeProvider time, IOptions<PushOptions> options) : IPushProvider
{
    private readonly ApnsTokenCache _tokens = new(time);

    public PlatformType Platform => PlatformType.Ios;

    public async Task<PushOutcome> SendAsync(Subscription subscription, PushMessage message, AppPushCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.Apns is not { } apns)
        {
            return PushOutcome.Failed("apns credentials are not configured");
        }

        if (string.IsNullOrEmpty(subscription.PushToken))
        {
            return PushOutcome.Failed("the subscription has no apns device token");
        }

        string providerToken;
        try
        {
            providerToken = _tokens.Get(apns);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return PushOutcome.Failed($"apns private key is not usable: {e.Message}");
        }

        var baseUrl = options.Value.Apns.For(apns.Environment);
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = ApnsRequest.Create(baseUrl, subscription.PushToken, message, apns, providerToken);
            using var response = await http.SendAsync(request, linked.Token);
            if (response.IsSuccessStatusCode)
            {
                return PushOutcome.Delivered;
            }

            var reason = Reason(await response.Content.ReadAsStringAsync(linked.Token));
            var status = (int)response.StatusCode;
            var error = $"apns {status} {reason ?? response.ReasonPhrase}".TrimEnd();
            switch (status, reason)
            {
                case (410, _) or (400, "BadDeviceToken" or "DeviceTokenNotForTopic"):
                    return PushOutcome.Invalid(error);
                case (403, "ExpiredProviderToken" or "InvalidProviderToken"):
                    // The next attempt signs a new token; a key APNs never accepts ends at the attempt limit.
                    _tokens.Invalidate(apns, providerToken);
                    return PushOutcome.Retry(error);
                case (429, _) or ( >= 500, _):
                    return PushOutcome.Retry(error, RetryAfter.From(response, time));
                default:
                    return PushOutcome.Failed(error);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PushOutcome.Retry("apns request timed out");
        }
        catch (HttpRequestException e)
        {
            return PushOutcome.Retry($"apns request failed: {e.Message}");
        }
    }

    private static string? Reason(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
