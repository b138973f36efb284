using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime.Hosting;

namespace OrleansNotifications.Runtime.Activation;

/// <summary>Periodically deactivates idle activations, and all of them when the host stops.</summary>
internal sealed class ActivationCollector(GrainCatalog catalog, IOptions<GrainRuntimeOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EffectiveCollectionInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                catalog.CollectIdle();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await catalog.DeactivateAllAsync();
    }
}
