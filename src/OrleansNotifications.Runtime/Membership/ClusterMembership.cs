using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansNotifications.Runtime.Membership;

/// <summary>
/// Keeps this node's lease alive and the view of the cluster fresh: every heartbeat period it renews its row and re-reads
/// all rows. No consensus of its own: the database is the single coordinator, as in Orleans' ADO.NET clustering.
/// </summary>
public sealed partial class ClusterMembership(IMembershipTable table, IOptions<MembershipOptions> options, ILogger<ClusterMembership> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly SemaphoreSlim _refreshing = new(1);
    private volatile IReadOnlyList<ClusterMember> _members = [];

    public string LocalName => options.Value.NodeName;

    /// <summary>Every known node, active or dead, as of the last refresh.</summary>
    public IReadOnlyList<ClusterMember> Members => _members;

    /// <summary>The nodes grains may live on, ordered by name (every node computes placement from the same list).</summary>
    public IReadOnlyList<ClusterMember> Active { get; private set; } = [];

    /// <summary>
    /// Raised after a refresh that changed the active members (old, new): grains and connections whose owner changed must
    /// move. Handlers run on the refreshing thread and must not block.
    /// </summary>
    public event Action<IReadOnlyList<ClusterMember>, IReadOnlyList<ClusterMember>>? ViewChanged;

    /// <summary>Whether this node holds a lease and has read the view at least once (readiness).</summary>
    public bool HasJoined => _joined.Task.IsCompleted;

    /// <summary>Renews the lease and re-reads the view now (also what the background loop does each period).</summary>
    public async Task RefreshAsync()
    {
        // One refresh at a time (the loop and retrying calls both refresh): an older read must never replace a newer view.
        await _refreshing.WaitAsync();
        try
        {
            await RefreshOnceAsync();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Whether <paramref name="node"/> is an active member, re-reading the view first if this node does not know it yet: a
    /// node that just joined calls others before their next heartbeat, and a grain must not take a connection of a node it
    /// cannot reach back (its changes would be dropped as "node gone"). At most one re-read per <see cref="MinRefreshInterval"/>
    /// for this purpose, so a stream of calls from a node the database calls dead does not turn into a stream of queries; a
    /// failed re-read counts as "not known".
    /// </summary>
    public async Task<bool> KnowsAsync(string node)
    {
        if (Active.Any(m => m.Name == node))
        {
            return true;
        }

        if (System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastOnDemandRefresh)) >= MinRefreshInterval)
        {
            Interlocked.Exchange(ref _lastOnDemandRefresh, System.Diagnostics.Stopwatch.GetTimestamp());
            try
            {
                await RefreshAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogHeartbeatFailed(logger, exception);
                return false;
            }
        }

        return Active.Any(m => m.Name == node);
    }

    private static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMilliseconds(250);
    private long _lastOnDemandRefresh;

    private async Task RefreshOnceAsync()
    {
        var settings = options.Value;
        await table.HeartbeatAsync(settings.NodeName, settings.AdvertisedAddress, _startedAt);
        var members = await table.ReadAsync(settings.LeaseTimeout);
        _members = members;
        var before = Active;
        Active = [.. members.Where(m => m.Status == MemberStatus.Active).OrderBy(m => m.Name, StringComparer.Ordinal)];
        _joined.TrySetResult();
        if (!before.Select(m => m.Name).SequenceEqual(Active.Select(m => m.Name)))
        {
            ViewChanged?.Invoke(before, Active);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatPeriod);
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Keep trying: a node that cannot renew its lease simply drops out of everyone's view when it expires.
                LogHeartbeatFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await table.LeaveAsync(options.Value.NodeName);
        }
        catch (Exception exception)
        {
            LogHeartbeatFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing this node's cluster lease failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
