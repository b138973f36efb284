using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push.Apns;
using OrleansNotifications.Push.Fcm;
using OrleansNotifications.Push.WebPush;

namespace OrleansNotifications.Push;

public static class PushServiceCollectionExtensions
{
    /// <summary>
    /// The push providers a node sends with, each on a long-lived HTTP client of its own. Web Push endpoints come from
    /// subscriptions, so its client connects only to public addresses unless <paramref name="allowPrivateWebPushEndpoints"/>
    /// (tests).
    /// </summary>
    public static IServiceCollection AddPushProviders(this IServiceCollection services, bool allowPrivateWebPushEndpoints = false)
    {
        services.AddSingleton<VapidToken>();
        services.AddSingleton<IPushProvider>(sp => new WebPushProvider(
            NewHttpClient(allowPrivateWebPushEndpoints ? null : PublicAddresses.ConnectToPublicOnlyAsync),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PushOptions>>(), sp.GetRequiredService<VapidToken>()));
        services.AddSingleton<IPushProvider>(sp => new FcmProvider(
            NewHttpClient(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PushOptions>>()));
        services.AddSingleton<IPushProvider>(sp => new ApnsProvider(
            NewHttpClient(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PushOptions>>()));
        return services;
    }

    /// <summary>
    /// Connections are pooled and recycled every few minutes (DNS changes reach us); redirects are not followed, so a push
    /// endpoint cannot bounce a request somewhere else.
    /// </summary>
    internal static HttpClient NewHttpClient(
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null) => new(new SocketsHttpHandler
    {
        ConnectCallback = connect,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        EnableMultipleHttp2Connections = true,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each provider applies PushOptions.RequestTimeout per request
    };
}
