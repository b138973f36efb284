using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Storage;

namespace OrleansNotifications.Server.Maintenance;

/// <summary>Deletes change-feed entries older than the retention period, in small batches so writers never wait long.</summary>
internal sealed partial class ChangeFeedPruner(
    INotificationStore store, TimeProvider time, IOptions<NotificationsOptions> options, ILogger<ChangeFeedPruner> logger) : BackgroundService
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
        var cutoff = time.GetUtcNow() - options.Value.ChangeFeedRetention;
        var total = 0;
        int pruned;
        do
        {
            pruned = await store.PruneChangesAsync(cutoff, Batch);
            total += pruned;
        }
        while (pruned == Batch);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the change feed failed")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
