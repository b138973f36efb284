using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OrleansNotifications.Runtime.Activation;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Transport;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Runtime.Hosting;

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// The single-node grain runtime: activation catalog, local call delivery, idle collection and the reminder poller.
    /// The storage provider must register <see cref="IReminderTable"/> and <see cref="IGrainStorage"/>.
    /// </summary>
    public static IServiceCollection AddGrainRuntime(this IServiceCollection services)
    {
        services.AddOptions<GrainRuntimeOptions>()
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.ReminderPollInterval > TimeSpan.Zero, "Runtime intervals must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainTypeRegistry>();
        services.TryAddSingleton<GrainCatalog>();
        services.TryAddSingleton<IActivationDirectory>(sp => sp.GetRequiredService<GrainCatalog>());
        services.TryAddSingleton<IGrainCallInvoker, LocalGrainCallInvoker>();
        services.TryAddSingleton<IGrainFactory, GrainFactory>();
        services.TryAddSingleton<IGrainPlacement, SingleNodePlacement>();
        services.TryAddSingleton<IPersistentStateFactory, PersistentStateFactory>();
        services.TryAddSingleton<ReminderService>();
        services.AddHostedService<ActivationCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderService>());
        return services;
    }

    /// <summary>
    /// The cluster: membership on the storage provider's <see cref="IMembershipTable"/> (lease rows judged by the database
    /// clock), rendezvous placement over the active members, and calls to grains owned elsewhere sent to their node. The host
    /// registers an <see cref="IClusterSecret"/> and maps <see cref="GrainCallDispatcher"/> at
    /// <see cref="RemoteGrainCallInvoker.PathPrefix"/>.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        services.AddOptions<MembershipOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.NodeName), "Cluster:NodeName is required.")
            .Validate(o => o.HeartbeatPeriod > TimeSpan.Zero && o.LeaseTimeout > o.HeartbeatPeriod * 2,
                "Cluster:LeaseTimeout must be more than two heartbeat periods.")
            .ValidateOnStart();
        services.AddSingleton<ClusterMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton(sp => new RendezvousPlacement(sp.GetRequiredService<ClusterMembership>(), sp.GetRequiredService<GrainCatalog>()));
        services.Replace(ServiceDescriptor.Singleton<IGrainPlacement>(sp => sp.GetRequiredService<RendezvousPlacement>()));
        services.AddSingleton<GrainCallCodec>();
        services.AddSingleton<NodeClient>();
        services.AddSingleton(sp => new GrainCallDispatcher(
            sp.GetRequiredService<GrainTypeRegistry>(), sp.GetRequiredService<RendezvousPlacement>(), sp.GetRequiredService<GrainCallCodec>(),
            sp.GetRequiredService<GrainCatalog>()));
        services.Replace(ServiceDescriptor.Singleton<IGrainCallInvoker>(sp => new RemoteGrainCallInvoker(
            sp.GetRequiredService<GrainCatalog>(), sp.GetRequiredService<RendezvousPlacement>(), sp.GetRequiredService<ClusterMembership>(),
            sp.GetRequiredService<GrainCallCodec>(), sp.GetRequiredService<IClusterSecret>(), sp.GetRequiredService<IOptions<MembershipOptions>>(),
            sp.GetRequiredService<NodeClient>())));
        return services;
    }

    /// <summary>Makes the argument and result types known to <paramref name="resolver"/> able to cross nodes.</summary>
    public static IServiceCollection AddGrainCallSerialization(this IServiceCollection services, IJsonTypeInfoResolver resolver) =>
        services.AddSingleton(new GrainCallTypes(resolver));

    /// <summary>Registers <typeparamref name="TGrain"/> as the implementation of <typeparamref name="TInterface"/> under <paramref name="typeName"/>.</summary>
    public static IServiceCollection AddGrain<TInterface, TGrain>(this IServiceCollection services, string typeName)
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        services.AddSingleton(new GrainRegistration(typeof(TInterface), typeof(TGrain), typeName));
        services.AddSingleton<GrainTypeRegistry>(sp =>
        {
            var registry = new GrainTypeRegistry();
            foreach (var registration in sp.GetServices<GrainRegistration>())
            {
                registry.Add(registration.Interface, registration.Implementation, registration.TypeName);
            }

            return registry;
        });
        return services;
    }

    private sealed record GrainRegistration(Type Interface, Type Implementation, string TypeName);
}
