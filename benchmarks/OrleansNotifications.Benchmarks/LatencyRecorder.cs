using System.Diagnostics;

namespace OrleansNotifications.Benchmarks;

/// <summary>Collects per-request latencies (Stopwatch ticks) and reports percentiles.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long> _ticks = new(1 << 20);
    private readonly List<long> _starts = new(1 << 20); // each latency's start, when all were recorded with theirs
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

    /// <summary>
    /// Records a latency from <paramref name="start"/> to <paramref name="end"/> (Stopwatch timestamps), keeping when it started.
    /// </summary>
    public void RecordSpan(long start, long end)
    {
        lock (_gate)
        {
            _ticks.Add(end - start);
            _starts.Add(start);
        }
    }

    /// <summary>
    /// Writes one line per latency, all recorded with <see cref="RecordSpan"/>: its start in seconds of the Stopwatch's clock
    /// (CLOCK_MONOTONIC on Linux, the clock <c>perf record -k mono</c> stamps its events with) and its length in ms.
    /// </summary>
    public void WriteSpans(string path)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        lock (_gate)
        {
            if (_starts.Count != _ticks.Count)
            {
                throw new InvalidOperationException("Some latencies were recorded without their start.");
            }

            File.WriteAllLines(path, _starts.Select((start, i) => string.Create(culture,
                $"{(double)start / Stopwatch.Frequency:F6} {_ticks[i] * 1000.0 / Stopwatch.Frequency:F3}")));
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
