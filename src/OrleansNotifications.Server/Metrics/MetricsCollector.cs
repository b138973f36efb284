using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Metrics;

public enum MetricKind
{
    /// <summary>Only goes up (Prometheus counter, <c>_total</c>).</summary>
    Counter,

    /// <summary>A value that goes up and down (up-down counters, gauges).</summary>
    Gauge,

    Histogram,
}

/// <summary>One instrument's values now, one point per combination of tags.</summary>
public sealed record MetricFamily(string Name, string? Unit, string? Description, MetricKind Kind, IReadOnlyList<MetricPoint> Points);

/// <summary>
/// A value (counter, gauge); for a histogram, the sum of what was recorded, the count per bucket (one per
/// <see cref="MetricsCollector.BucketBounds"/>, then the overflow; not cumulative) and the count.
/// </summary>
public sealed record MetricPoint(IReadOnlyList<KeyValuePair<string, string>> Tags, double Value, long[]? Buckets = null, long Count = 0);

/// <summary>
/// Listens to the service's own meter and to the ones ASP.NET Core and .NET already have (HTTP server, Kestrel, SignalR
/// connections, runtime), and keeps a running aggregate per instrument and tag set: sums for counters, the last value for
/// gauges, bucket counts for histograms. No exporter package is needed; <see cref="PrometheusText"/> and
/// <see cref="MetricsHistory"/> read <see cref="Collect"/>.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    public static readonly IReadOnlySet<string> Meters = new HashSet<string>(StringComparer.Ordinal)
    {
        NotificationMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "System.Runtime",
    };

    /// <summary>
    /// Histogram bucket upper bounds, in the instrument's unit. For seconds these resolve a local service's latencies
    /// (0.5 ms to 10 s); the HTTP defaults (from 5 ms) would put nearly every request in the first bucket.
    /// </summary>
    public static readonly double[] BucketBounds =
        [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentAggregate> _instruments = new();
    private readonly Lock _collecting = new();

    /// <param name="meters">
    /// This host's meter factory: only meters it made (or process-wide ones, like the runtime's) are collected, so two hosts
    /// in one process (tests) never count each other.
    /// </param>
    public MetricsCollector(IMeterFactory? meters = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Meters.Contains(instrument.Meter.Name) && (instrument.Meter.Scope is null || instrument.Meter.Scope == meters))
            {
                var aggregate = _instruments.GetOrAdd(instrument, i => new InstrumentAggregate(i));
                listener.EnableMeasurementEvents(instrument, aggregate);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentAggregate? _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument's values now (observable instruments are observed by this call).</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_collecting)
        {
            foreach (var aggregate in _instruments.Values.Where(a => a.Instrument.IsObservable))
            {
                aggregate.Clear(); // an observation round reports every tag set still there; the rest are gone
            }

            _listener.RecordObservableInstruments();
            return [.. _instruments.Values.Select(a => a.Snapshot()).Where(f => f.Points.Count > 0).OrderBy(f => f.Name, StringComparer.Ordinal)];
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed class InstrumentAggregate(Instrument instrument)
    {
        // Series by a hash of their tags (order-independent), each bucket checked for equal tags: the hot path (every HTTP
        // request, every publish) allocates nothing once a tag set has been seen.
        private readonly ConcurrentDictionary<int, Series[]> _series = new();

        public Instrument Instrument { get; } = instrument;

        private MetricKind Kind { get; } = KindOf(instrument);

        // Synchronous counters add up; gauges and everything observed (observable counters report their total) replace.
        private bool Adds { get; } = !instrument.IsObservable && KindOf(instrument) != MetricKind.Histogram && !IsGauge(instrument);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            lock (series)
            {
                if (Kind == MetricKind.Histogram)
                {
                    var bucket = Array.BinarySearch(BucketBounds, value);
                    series.Buckets[bucket < 0 ? ~bucket : bucket]++;
                    series.Count++;
                    series.Value += value;
                }
                else
                {
                    series.Value = Adds ? series.Value + value : value;
                }
            }
        }

        public void Clear() => _series.Clear();

        public MetricFamily Snapshot()
        {
            var points = new List<MetricPoint>();
            foreach (var series in _series.Values.SelectMany(bucket => bucket))
            {
                lock (series)
                {
                    points.Add(Kind == MetricKind.Histogram
                        ? new MetricPoint(series.Tags, series.Value, (long[])series.Buckets.Clone(), series.Count)
                        : new MetricPoint(series.Tags, series.Value));
                }
            }

            return new MetricFamily(Instrument.Name, Instrument.Unit, Instrument.Description, Kind, points);
        }

        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = 0;
            foreach (var tag in tags)
            {
                hash += HashCode.Combine(tag.Key, tag.Value);
            }

            if (_series.TryGetValue(hash, out var bucket))
            {
                foreach (var candidate in bucket)
                {
                    if (candidate.Matches(tags))
                    {
                        return candidate;
                    }
                }
            }

            // A new tag set (or a hash collision): add it, unless another thread just did.
            var added = new Series(tags);
            return _series.AddOrUpdate(hash, _ => [added], (_, existing) => existing.Any(s => s.Matches(added.Raw)) ? existing : [.. existing, added])
                .First(s => s.Matches(added.Raw));
        }

        private static MetricKind KindOf(Instrument instrument)
        {
            var type = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
            return type == typeof(Histogram<>) ? MetricKind.Histogram
                : type == typeof(Counter<>) || type == typeof(ObservableCounter<>) ? MetricKind.Counter
                : MetricKind.Gauge;
        }

        private static bool IsGauge(Instrument instrument) =>
            instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Gauge<>);
    }

    private sealed class Series
    {
        public Series(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Raw = tags.ToArray();
            var list = Raw.Select(t => new KeyValuePair<string, string>(
                t.Key, Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "")).ToList();
            list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            Tags = list;
        }

        /// <summary>The tags as recorded, for matching later measurements without converting them.</summary>
        public KeyValuePair<string, object?>[] Raw { get; }

        public List<KeyValuePair<string, string>> Tags { get; }

        public double Value { get; set; }

        public long[] Buckets { get; } = new long[BucketBounds.Length + 1];

        public long Count { get; set; }

        /// <summary>Same keys with equal values, in any order.</summary>
        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Raw.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                var found = false;
                foreach (var mine in Raw)
                {
                    if (mine.Key == tag.Key)
                    {
                        found = Equals(mine.Value, tag.Value);
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
