using System.Globalization;
using System.Text;

namespace OrleansNotifications.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the collected instruments in the Prometheus text exposition format (version 0.0.4), with names
/// translated as OpenTelemetry's Prometheus compatibility rules say: dots become underscores, the unit becomes a suffix
/// (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, annotations like <c>{request}</c> are dropped) and counters end in
/// <c>_total</c>.
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static WebApplication MapMetrics(this WebApplication app, string policy)
    {
        app.MapGet("/metrics", async (MetricsCollector collector, DeliveryBacklog backlog) =>
        {
            await backlog.RefreshAsync(); // its gauge reads a cached database count
            return TypedResults.Text(Format(collector.Collect()), ContentType);
        }).RequireAuthorization(policy).ExcludeFromDescription().DisableHttpMetrics();
        return app;
    }

    public static string Format(IEnumerable<MetricFamily> families)
    {
        var text = new StringBuilder();
        foreach (var family in families)
        {
            var name = NameOf(family);
            if (!string.IsNullOrEmpty(family.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(family.Description.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(family.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');

            foreach (var point in family.Points)
            {
                if (family.Kind != MetricKind.Histogram)
                {
                    Sample(text, name, point.Tags, null, point.Value);
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i < MetricsCollector.BucketBounds.Length; i++)
                {
                    cumulative += point.Buckets![i];
                    Sample(text, name + "_bucket", point.Tags, Number(MetricsCollector.BucketBounds[i]), cumulative);
                }

                Sample(text, name + "_bucket", point.Tags, "+Inf", point.Count);
                Sample(text, name + "_sum", point.Tags, null, point.Value);
                Sample(text, name + "_count", point.Tags, null, point.Count);
            }
        }

        return text.ToString();
    }

    /// <summary>The Prometheus name of an OpenTelemetry instrument: sanitised, with its unit and, for counters, <c>_total</c>.</summary>
    public static string NameOf(MetricFamily family)
    {
        var name = Sanitize(family.Name);
        var unit = family.Unit switch
        {
            null or "" => null,
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => family.Kind == MetricKind.Gauge ? "ratio" : null,
            _ when family.Unit.StartsWith('{') => null,
            _ => Sanitize(family.Unit),
        };
        if (unit is not null && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        return family.Kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    private static void Sample(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> tags, string? le, double value)
    {
        text.Append(name);
        if (tags.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            foreach (var (key, tagValue) in tags)
            {
                Label(text, ref first, Sanitize(key), tagValue);
            }

            if (le is not null)
            {
                Label(text, ref first, "le", le);
            }

            text.Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static void Label(StringBuilder text, ref bool first, string key, string value)
    {
        if (!first)
        {
            text.Append(',');
        }

        first = false;
        text.Append(key).Append("=\"").Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Metric and label names allow <c>[a-zA-Z0-9_]</c> (and no leading digit); anything else becomes one underscore.</summary>
    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_';
            if (valid)
            {
                text.Append(c);
            }
            else if (text.Length == 0 || text[^1] != '_')
            {
                text.Append('_');
            }
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
