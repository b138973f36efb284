using OrleansNotifications.Grains;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Hubs;

namespace OrleansNotifications.Server.Metrics;

/// <summary>
/// Samples this node's instruments every <see cref="Interval"/> and keeps the last <see cref="Samples"/> samples (five
/// minutes), from which it reports rates, latency percentiles and the sparkline series of the dashboard.
/// </summary>
public sealed class MetricsHistory(MetricsCollector collector, IActivationDirectory activations, HubChangeRelay relay)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan LatencyWindow = TimeSpan.FromMinutes(1);
    public const int Samples = 150;
    private const string HttpRequestDuration = "http.server.request.duration";

    private readonly Lock _gate = new();
    private readonly LinkedList<Totals> _samples = new();

    /// <summary>Cumulative totals at one instant; rates and percentiles are differences between two of them.</summary>
    private sealed record Totals(
        long At, long Requests, long Publishes, long Changes, IReadOnlyDictionary<(string Provider, string Outcome), long> Push,
        long[] PublishBuckets, long[] RequestBuckets, long[] PushBuckets, int Connections);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Sample();
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Sample();
        }
    }

    /// <summary>Takes a sample now (also what the timer does).</summary>
    public void Sample()
    {
        var totals = Read(collector.Collect(), System.Diagnostics.Stopwatch.GetTimestamp());
        lock (_gate)
        {
            _samples.AddLast(totals);
            while (_samples.Count > Samples + 1)
            {
                _samples.RemoveFirst();
            }
        }
    }

    /// <summary>This node's activity: the newest figures against the sample a window ago, plus a fresh reading now.</summary>
    public NodeActivity Report()
    {
        Totals now;
        List<Totals> samples;
        lock (_gate)
        {
            // Read inside the lock: a sample added after this reading would otherwise sort after "now".
            now = Read(collector.Collect(), System.Diagnostics.Stopwatch.GetTimestamp());
            samples = [.. _samples];
        }

        samples.Add(now);
        var rateFrom = Before(samples, now, RateWindow);
        var latencyFrom = Before(samples, now, LatencyWindow);
        var push = now.Push
            .Select(p => new PushRate(p.Key.Provider, p.Key.Outcome, Rate(rateFrom, now, t => t.Push.GetValueOrDefault(p.Key)), p.Value))
            .OrderBy(p => p.Provider, StringComparer.Ordinal).ThenBy(p => p.Outcome, StringComparer.Ordinal).ToList();
        var rates = new ActivityRates(
            Rate(rateFrom, now, t => t.Requests), Rate(rateFrom, now, t => t.Publishes), Rate(rateFrom, now, t => t.Changes),
            Rate(rateFrom, now, t => PushCount(t, delivered: true)), Rate(rateFrom, now, t => PushCount(t, delivered: false)), push);
        var latency = new LatencyResponse(
            Percentiles(now.PublishBuckets, latencyFrom.PublishBuckets),
            Percentiles(now.RequestBuckets, latencyFrom.RequestBuckets),
            Percentiles(now.PushBuckets, latencyFrom.PushBuckets));

        var pairs = samples.Zip(samples.Skip(1)).ToList();
        var history = new ActivityHistory(
            Interval.TotalSeconds,
            [.. pairs.Select(p => Rate(p.First, p.Second, t => t.Requests))],
            [.. pairs.Select(p => Rate(p.First, p.Second, t => t.Publishes))],
            [.. pairs.Select(p => Rate(p.First, p.Second, t => PushCount(t, delivered: true)))],
            [.. pairs.Select(p => Rate(p.First, p.Second, t => PushCount(t, delivered: false)))],
            [.. pairs.Select(p => (double)p.Second.Connections)],
            [.. pairs.Select(p => Percentiles(p.Second.PublishBuckets, p.First.PublishBuckets)?.P99)]);

        return new NodeActivity(relay.LocalNode, activations.CountByType(), now.Connections, Environment.WorkingSet, rates,
            new ActivityTotals(now.Requests, now.Publishes, now.Changes), latency, history);
    }

    /// <summary>How fast <paramref name="of"/> grew per second from one sample to a later one.</summary>
    private static double Rate(Totals from, Totals to, Func<Totals, long> of) =>
        Math.Round((of(to) - of(from)) / Math.Max(Elapsed(from, to), 0.001), 2);

    private static long PushCount(Totals totals, bool delivered) =>
        totals.Push.Where(p => (p.Key.Outcome == "delivered") == delivered).Sum(p => p.Value);

    private static double Elapsed(Totals from, Totals to) => System.Diagnostics.Stopwatch.GetElapsedTime(from.At, to.At).TotalSeconds;

    /// <summary>The newest sample at least <paramref name="window"/> older than <paramref name="now"/>, else the oldest there is.</summary>
    private static Totals Before(List<Totals> samples, Totals now, TimeSpan window) =>
        samples.LastOrDefault(s => Elapsed(s, now) >= window.TotalSeconds) ?? samples[0];

    private Totals Read(IReadOnlyList<MetricFamily> families, long at)
    {
        MetricFamily? Family(string name) => families.FirstOrDefault(f => f.Name == name);
        static long[] Buckets(MetricFamily? family)
        {
            var sum = new long[MetricsCollector.BucketBounds.Length + 1];
            foreach (var point in family?.Points ?? [])
            {
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += point.Buckets![i];
                }
            }

            return sum;
        }

        string Tag(MetricPoint point, string key) => point.Tags.FirstOrDefault(t => t.Key == key).Value ?? "";
        var requests = Family(HttpRequestDuration);
        var publishes = Family(NotificationMetrics.PublishDuration);
        var pushes = Family(NotificationMetrics.PushDuration);
        var push = (pushes?.Points ?? [])
            .GroupBy(p => (Tag(p, NotificationMetrics.ProviderTag), Tag(p, NotificationMetrics.OutcomeTag)))
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Count));
        return new Totals(
            at, requests?.Points.Sum(p => p.Count) ?? 0, publishes?.Points.Sum(p => p.Count) ?? 0,
            (long)(Family(NotificationMetrics.Changes)?.Points.Sum(p => p.Value) ?? 0), push,
            Buckets(publishes), Buckets(requests), Buckets(pushes), relay.Connections);
    }

    /// <summary>p50/p95/p99 in milliseconds of what was recorded between two bucket snapshots; null if nothing was.</summary>
    internal static Percentiles? Percentiles(long[] now, long[] before)
    {
        var counts = now.Zip(before, (a, b) => a - b).ToArray();
        var total = counts.Sum();
        return total == 0 ? null : new Percentiles(Quantile(counts, total, 0.50), Quantile(counts, total, 0.95), Quantile(counts, total, 0.99), total);
    }

    /// <summary>Linear interpolation inside the bucket that holds the rank (as Prometheus' histogram_quantile does).</summary>
    private static double Quantile(long[] counts, long total, double q)
    {
        var bounds = MetricsCollector.BucketBounds;
        var rank = q * total;
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var previous = cumulative;
            cumulative += counts[i];
            if (cumulative >= rank && counts[i] > 0)
            {
                if (i == bounds.Length)
                {
                    return bounds[^1] * 1000; // beyond the last bound: all that can be said is "at least this"
                }

                var lower = i == 0 ? 0 : bounds[i - 1];
                return Math.Round((lower + ((bounds[i] - lower) * (rank - previous) / counts[i])) * 1000, 3);
            }
        }

        return bounds[^1] * 1000;
    }
}
