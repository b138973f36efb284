using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansNotifications.Server.Auth;

namespace OrleansNotifications.Server.Http;

/// <summary>One token bucket per app (app and user tokens of the app share it); over the limit: 429 with Retry-After.</summary>
public static class AppRateLimiting
{
    public static IServiceCollection AddAppRateLimiting(this IServiceCollection services, NotificationsOptions.RateLimitSettings settings)
    {
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var appId = context.User.AppId();
                if (appId is null || settings.PermitsPerSecond <= 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var burst = settings.Burst ?? settings.PermitsPerSecond;
                return RateLimitPartition.GetTokenBucketLimiter(appId, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Problem(429, "rate-limited", "Too many requests.", "This app exceeded its request rate; retry after the indicated delay.")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
