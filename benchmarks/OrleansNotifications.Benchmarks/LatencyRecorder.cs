using System.Diagnostics;

namespace OrleansNotifications.Benchmarks;

/// <summary>Collects per-request latencies (Stopwatch ticks) and reports percentiles.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long> _ticks = new(1 << 20);
    private readonly object _gate = new();

    public void Record(long startTimestamp) => RecordElapsed(Stopwatch.GetTimestamp() - startTimestamp);

    /// <summary>Records a latency measured elsewhere, in Stopwatch ticks.</summary>
    public void RecordElapsed(long elapsed)
    {
        lock (_gate)
        {
            _ticks.Add(elapsed);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ticks.Count;
            }
        }
    }

    /// <summary>The fraction of the recorded latencies longer than <paramref name="limit"/> (NaN when none were recorded).</summary>
    public double ShareAbove(TimeSpan limit)
    {
        var ticks = (long)(limit.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            return _ticks.Count == 0 ? double.NaN : (double)_ticks.Count(t => t > ticks) / _ticks.Count;
        }
    }

    public string Summary()
    {
        long[] sorted;
        lock (_gate)
        {
            sorted = [.. _ticks];
        }

        Array.Sort(sorted);
        double Ms(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
        return $"p50 {Ms(0.50):F2} ms, p90 {Ms(0.90):F2} ms, p99 {Ms(0.99):F2} ms, p99.9 {Ms(0.999):F2} ms, max {Ms(1.0):F2} ms";
    }
}
