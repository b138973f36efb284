using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Push.Fcm;

/// <summary>Android push: FCM HTTP v1 <c>messages:send</c> with the app's service-account OAuth2 token.</summary>
public sealed class FcmProvider(HttpClient http, TimeProvider time, IOptions<PushOptions> options) : IPushProvider
{
    // One credential per distinct service account: each caches its access token and refreshes it before it expires.
    private readonly ConcurrentDictionary<string, FcmAccount> _accounts = new(StringComparer.Ordinal);

    public PlatformType Platform => PlatformType.Android;

    public async Task<PushOutcome> SendAsync(Subscription subscription, PushMessage message, AppPushCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.Fcm is not { } fcm)
        {
            return PushOutcome.Failed("fcm credentials are not configured");
        }

        if (string.IsNullOrEmpty(subscription.PushToken))
        {
            return PushOutcome.Failed("the subscription has no fcm registration token");
        }

        FcmAccount account;
        try
        {
            account = _accounts.GetOrAdd(fcm.ServiceAccountJson, FcmAccount.Parse);
        }
        catch (InvalidOperationException e)
        {
            return PushOutcome.Failed($"fcm service account is not usable: {e.Message}");
        }

        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var accessToken = await account.Credential.GetAccessTokenForRequestAsync(cancellationToken: linked.Token);
            var url = $"{options.Value.Fcm.BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(account.ProjectId)}/messages:send";
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(FcmRequestBody.Create(subscription.PushToken, message, time.GetUtcNow()), options: PayloadBudget.Json),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await http.SendAsync(request, linked.Token);
            return await FcmResponse.ClassifyAsync(response, time, linked.Token);
        }
        catch (TokenResponseException e)
        {
            var error = $"fcm token exchange failed ({(e.StatusCode is { } s ? (int)s : 0)}): {e.Error?.Error} {e.Error?.ErrorDescription}".TrimEnd();

            // 4xx means the account itself is refused (deleted key, wrong token_uri): retrying cannot help.
            return e.StatusCode is { } status && (int)status is >= 400 and < 500 && status != HttpStatusCode.TooManyRequests
                ? PushOutcome.Failed(error)
                : PushOutcome.Retry(error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PushOutcome.Retry("fcm request timed out");
        }
        catch (HttpRequestException e)
        {
            return PushOutcome.Retry($"fcm request failed: {e.Message}");
        }
    }
}
