using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using OrleansNotifications.Grains;
using OrleansNotifications.Server.Metrics;

namespace OrleansNotifications.Tests.Operators;

/// <summary>The Prometheus text format as Prometheus parses it, and OpenTelemetry's rules for turning names into it.</summary>
public sealed partial class PrometheusTextTests
{
    // A sample line: name, optional labels (each value a quoted string with \\, \" and \n escaped), one space, a float.
    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*")*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();

    private static readonly KeyValuePair<string, string>[] NoTags = [];

    [Fact]
    public void Names_FollowOpenTelemetrysPrometheusRules()
    {
        Assert.Equal("http_server_request_duration_seconds", Name("http.server.request.duration", "s", MetricKind.Histogram));
        Assert.Equal("notifications_changes_total", Name("notifications.changes", "{change}", MetricKind.Counter));
        Assert.Equal("dotnet_gc_heap_total_allocated_bytes_total", Name("dotnet.gc.heap.total_allocated", "By", MetricKind.Counter));
        Assert.Equal("kestrel_active_connections", Name("kestrel.active_connections", "{connection}", MetricKind.Gauge));
        Assert.Equal("process_cpu_utilization_ratio", Name("process.cpu.utilization", "1", MetricKind.Gauge));
        Assert.Equal("already_seconds", Name("already.seconds", "s", MetricKind.Gauge));
        Assert.Equal("_9lives_total", Name("9lives", null, MetricKind.Counter));
    }

    [Fact]
    public void Counters_Gauges_AndHistograms_AreWrittenAsPrometheusParsesThem()
    {
        var buckets = new long[MetricsCollector.BucketBounds.Length + 1];
        buckets[2] = 3;  // ≤ 2 ms
        buckets[^1] = 1; // beyond the last bound
        var text = PrometheusText.Format(
        [
            new MetricFamily("notifications.changes", "{change}", "Changes.\nTwo lines", MetricKind.Counter,
                [new MetricPoint([new("notifications.change.kind", "created")], 7), new MetricPoint([new("weird.label", "a\"b\\c\nd")], 1)]),
            new MetricFamily("notifications.hub.connections", "{connection}", null, MetricKind.Gauge, [new MetricPoint(NoTags, 3)]),
            new MetricFamily("notifications.publish.duration", "s", "Publishes.", MetricKind.Histogram,
                [new MetricPoint([new("k", "v")], 12.5, buckets, 4)]),
        ]);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines.Where(l => !l.StartsWith('#')), line => Assert.Matches(SampleLine(), line));
        Assert.Contains("# HELP notifications_changes_total Changes.\\nTwo lines", lines);
        Assert.Contains("# TYPE notifications_changes_total counter", lines);
        Assert.Contains("notifications_changes_total{notifications_change_kind=\"created\"} 7", lines);
        Assert.Contains("notifications_changes_total{weird_label=\"a\\\"b\\\\c\\nd\"} 1", lines);
        Assert.Contains("# TYPE notifications_hub_connections gauge", lines);
        Assert.Contains("notifications_hub_connections 3", lines);
        Assert.Contains("# TYPE notifications_publish_duration_seconds histogram", lines);

        // Buckets are cumulative, end with +Inf equal to the count, and come with _sum and _count.
        Assert.Contains("notifications_publish_duration_seconds_bucket{k=\"v\",le=\"0.001\"} 0", lines);
        Assert.Contains("notifications_publish_duration_seconds_bucket{k=\"v\",le=\"0.002\"} 3", lines);
        Assert.Contains("notifications_publish_duration_seconds_bucket{k=\"v\",le=\"10\"} 3", lines);
        Assert.Contains("notifications_publish_duration_seconds_bucket{k=\"v\",le=\"+Inf\"} 4", lines);
        Assert.Contains("notifications_publish_duration_seconds_sum{k=\"v\"} 12.5", lines);
        Assert.Contains("notifications_publish_duration_seconds_count{k=\"v\"} 4", lines);
        var bucketValues = lines.Where(l => l.StartsWith("notifications_publish_duration_seconds_bucket", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(bucketValues.Order(), bucketValues);
    }

    [Fact]
    public void TheCollector_SumsCounters_KeepsGauges_AndBucketsHistograms_PerTagSet()
    {
        // Instruments of the service's meter name (the collector listens by name), with names no other test uses.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        using var collector = new MetricsCollector();
        using var meter = new Meter(NotificationMetrics.MeterName);
        var counter = meter.CreateCounter<long>($"test.counter.{suffix}", "{thing}");
        var upDown = meter.CreateUpDownCounter<int>($"test.updown.{suffix}");
        var histogram = meter.CreateHistogram<double>($"test.histogram.{suffix}", "s");
        var observed = 5;
        meter.CreateObservableGauge($"test.gauge.{suffix}", () => observed);

        counter.Add(2, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));
        counter.Add(3, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1")); // same set, other order
        counter.Add(1, new KeyValuePair<string, object?>("a", "other"));
        upDown.Add(4);
        upDown.Add(-1);
        histogram.Record(0.0015);
        histogram.Record(0.0015);
        histogram.Record(20);

        var families = collector.Collect().Where(f => f.Name.EndsWith(suffix, StringComparison.Ordinal)).ToDictionary(f => f.Name.Split('.')[1]);
        Assert.Equal([5, 1], families["counter"].Points.OrderByDescending(p => p.Value).Select(p => p.Value));
        Assert.Equal(MetricKind.Counter, families["counter"].Kind);
        Assert.Equal(3, Assert.Single(families["updown"].Points).Value);
        Assert.Equal(MetricKind.Gauge, families["updown"].Kind);
        Assert.Equal(5, Assert.Single(families["gauge"].Points).Value);
        var point = Assert.Single(families["histogram"].Points);
        Assert.Equal(3, point.Count);
        Assert.Equal(2, point.Buckets![Array.IndexOf(MetricsCollector.BucketBounds, 0.002)]);
        Assert.Equal(1, point.Buckets[^1]);

        observed = 9;
        Assert.Equal(9, Assert.Single(collector.Collect().Single(f => f.Name == $"test.gauge.{suffix}").Points).Value);
    }

    [Fact]
    public void Percentiles_InterpolateInsideTheBucket_OverTheDifferenceOfTwoSnapshots()
    {
        var before = new long[MetricsCollector.BucketBounds.Length + 1];
        before[0] = 1000; // an old burst of sub-millisecond work: not in this window
        var now = (long[])before.Clone();
        now[4] += 100; // 100 values in (3 ms, 5 ms]
        var p = MetricsHistory.Percentiles(now, before)!;
        Assert.Equal(100, p.Count);
        Assert.Equal(4.0, p.P50, 3);
        Assert.Equal(4.98, p.P99, 3);
        Assert.Null(MetricsHistory.Percentiles(before, before));
    }

    private static string Name(string name, string? unit, MetricKind kind) => PrometheusText.NameOf(new MetricFamily(name, unit, null, kind, []));
}
