using System.Diagnostics.Metrics;
using OrleansNotifications.Grains;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Hubs;

namespace OrleansNotifications.Server.Metrics;

/// <summary>The node's observed instruments: what lives here now, rather than what happened (those the grains count).</summary>
public sealed class NodeMetrics
{
    public NodeMetrics(IMeterFactory meters, IActivationDirectory activations, HubChangeRelay relay, DeliveryBacklog backlog)
    {
        var meter = meters.Create(NotificationMetrics.MeterName);
        meter.CreateObservableUpDownCounter("notifications.grain.activations",
            () => activations.CountByType().Select(a => new Measurement<int>(a.Value, new KeyValuePair<string, object?>("notifications.grain.type", a.Key))),
            "{activation}", "Grain activations on this node, by grain type.");
        meter.CreateObservableUpDownCounter("notifications.hub.connections", () => relay.Connections,
            "{connection}", "Live hub connections held by this node.");
        meter.CreateObservableUpDownCounter("notifications.push.pending", () => Pending(backlog), "{delivery}",
            "Push deliveries not finished, in the whole cluster (a database count, at most 10 s old).");
    }

    private static IEnumerable<Measurement<long>> Pending(DeliveryBacklog backlog) =>
        backlog.Last is { } pending
            ? [new(pending.Waiting, new KeyValuePair<string, object?>("notifications.push.state", "waiting")),
               new(pending.Retrying, new KeyValuePair<string, object?>("notifications.push.state", "retrying"))]
            : [];
}
