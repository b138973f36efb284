using System.Diagnostics;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Server.Metrics;

/// <summary>
/// Pending push deliveries across the cluster (one count in the shared database), read at most every <see cref="MaxAge"/>
/// however many dashboards and scrapers ask, since the count scans the pending rows.
/// </summary>
public sealed partial class DeliveryBacklog(IDeliveryStore store, ILogger<DeliveryBacklog> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _reading = new(1);
    private long _readAt;

    /// <summary>The last count read; null until one succeeded.</summary>
    public PendingDeliveries? Last { get; private set; }

    public async Task<PendingDeliveries?> RefreshAsync()
    {
        await _reading.WaitAsync();
        try
        {
            if (_readAt == 0 || Stopwatch.GetElapsedTime(_readAt) >= MaxAge)
            {
                _readAt = Stopwatch.GetTimestamp(); // a failed count too waits its turn
                Last = await store.CountPendingAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCountFailed(logger, exception); // storage trouble shows in the storage panel; keep the last count
        }
        finally
        {
            _reading.Release();
        }

        return Last;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting pending push deliveries failed")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);
}
