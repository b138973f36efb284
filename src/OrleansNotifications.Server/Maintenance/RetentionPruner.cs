using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Storage;

namespace OrleansNotifications.Server.Maintenance;

/// <summary>
/// Deletes change-feed entries older than the retention period, and the delivery records of notifications that have expired,
/// in small batches so writers never wait long.
/// </summary>
internal sealed partial class RetentionPruner(
    INotificationStore store, IDeliveryStore deliveries, TimeProvider time, IOptions<NotificationsOptions> options, ILogger<RetentionPruner> logger) : BackgroundService
{
    private const int Batch = 2000;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await PruneAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogPruneFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    public async Task<int> PruneAsync()
    {
        var now = time.GetUtcNow();
        return await PruneInBatchesAsync(max => store.PruneChangesAsync(now - options.Value.ChangeFeedRetention, max))
            + await PruneInBatchesAsync(max => deliveries.PruneAsync(now, max));
    }

    private static async Task<int> PruneInBatchesAsync(Func<int, Task<int>> prune)
    {
        var total = 0;
        int pruned;
        do
        {
            pruned = await prune(Batch);
            total += pruned;
        }
        while (pruned == Batch);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the change feed failed")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
