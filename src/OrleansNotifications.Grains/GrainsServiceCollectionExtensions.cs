using Microsoft.Extensions.DependencyInjection;
using OrleansNotifications.Grains.Json;
using OrleansNotifications.Runtime.Hosting;

namespace OrleansNotifications.Grains;

public static class GrainsServiceCollectionExtensions
{
    public static IServiceCollection AddNotificationGrains(this IServiceCollection services) =>
        services.AddGrainRuntime()
            .AddGrainCallSerialization(GrainCallJsonContext.Default)
            .AddGrain<IUserGrain, UserGrain>(UserGrain.GrainTypeName)
            .AddGrain<IEndpointGrain, EndpointGrain>(EndpointGrain.GrainTypeName);
}
