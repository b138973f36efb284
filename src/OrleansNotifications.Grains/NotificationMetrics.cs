using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Grains;

/// <summary>
/// The grains' instruments (meter <see cref="MeterName"/>), named and with units as OpenTelemetry's conventions ask: dotted
/// lower-case names, seconds for durations, <c>{thing}</c> for counts. <c>GET /metrics</c> and the dashboard read them.
/// </summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "OrleansNotifications";
    public const string PublishDuration = "notifications.publish.duration";
    public const string Changes = "notifications.changes";
    public const string PushDuration = "notifications.push.duration";
    public const string ProviderTag = "notifications.push.provider";
    public const string OutcomeTag = "notifications.push.outcome";
    public const string ChangeKindTag = "notifications.change.kind";

    private readonly Histogram<double> _publishDuration;
    private readonly Counter<long> _changes;
    private readonly Histogram<double> _pushDuration;

    public NotificationMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _publishDuration = meter.CreateHistogram<double>(PublishDuration, "s",
            "Time a user's grain took to publish a notification, durable commit included.");
        _changes = meter.CreateCounter<long>(Changes, "{change}", "Changes committed to users' change feeds, by kind.");
        _pushDuration = meter.CreateHistogram<double>(PushDuration, "s", "Push sends to a provider, by provider and outcome.");
    }

    /// <summary>Records a publish that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Published(long startTimestamp) => _publishDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    public void Committed(IEnumerable<ChangeRecord> changes)
    {
        foreach (var change in changes)
        {
            _changes.Add(1, new KeyValuePair<string, object?>(ChangeKindTag, WireNames.Of(change.Kind)));
        }
    }

    public void Pushed(PlatformType platform, PushOutcomeKind outcome, long startTimestamp) =>
        _pushDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>(ProviderTag, WireNames.Of(platform)),
            new KeyValuePair<string, object?>(OutcomeTag, outcome.ToString().ToLowerInvariant()));
}
