using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Runtime.Hosting;

namespace OrleansNotifications.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>The grains and their runtime; the host provides <see cref="System.Diagnostics.Metrics.IMeterFactory"/>.</summary>
    public static IServiceCollection AddNotificationGrains(this IServiceCollection services) =>
        services.AddGrainRuntime()
            .AddSingleton<NotificationMetrics>()
            .AddGrainCallSerialization(GrainCallJsonContext.Default)
            .AddGrain<IUserGrain, UserGrain>(UserGrain.GrainTypeName)
            .AddGrain<IEndpointGrain, EndpointGrain>(EndpointGrain.GrainTypeName);
}
