namespace OrleansNotifications.Server.Api.Contracts;

// The JSON behind the dashboard's panels (GET /v1/admin/cluster, GET /v1/admin/apps/{appId}/users/{userId}).

/// <summary>One member as the database sees it, with what it reported of itself (<see cref="Activity"/>) or why it could not.</summary>
public sealed record ClusterNodeResponse(
    string Name, string Address, string Status, DateTimeOffset StartedDateTime, DateTimeOffset LastHeartbeatDateTime,
    double HeartbeatAgeSeconds, int? Activations, IReadOnlyDictionary<string, int>? ActivationsByType, NodeActivity? Activity,
    string? Error);

public sealed record ClusterResponse(
    string Node, IReadOnlyList<ClusterNodeResponse> Nodes, ActivityRates Rates, int Connections, int Activations,
    PendingDeliveriesResponse? PendingDeliveries, StorageHealthResponse Storage);

/// <summary>What one node is doing: measured by itself over the last minutes.</summary>
public sealed record NodeActivity(
    string Node, IReadOnlyDictionary<string, int> Activations, int Connections, long MemoryBytes, ActivityRates Rates,
    ActivityTotals Totals, LatencyResponse Latency, ActivityHistory History);

/// <summary>Per second, over the last <see cref="Metrics.MetricsHistory.RateWindow"/>.</summary>
public sealed record ActivityRates(double Requests, double Publishes, double Changes, double PushDelivered, double PushFailed, IReadOnlyList<PushRate> Push);

public sealed record PushRate(string Provider, string Outcome, double PerSecond, long Total);

public sealed record ActivityTotals(long Requests, long Publishes, long Changes);

/// <summary>Milliseconds, over the last minute; null where nothing was measured.</summary>
public sealed record LatencyResponse(Percentiles? Publish, Percentiles? Request, Percentiles? Push);

public sealed record Percentiles(double P50, double P95, double P99, long Count);

/// <summary>One value per interval, oldest first (sparklines).</summary>
public sealed record ActivityHistory(
    double IntervalSeconds, IReadOnlyList<double> Requests, IReadOnlyList<double> Publishes, IReadOnlyList<double> PushDelivered,
    IReadOnlyList<double> PushFailed, IReadOnlyList<double> Connections, IReadOnlyList<double?> PublishP99);

public sealed record PendingDeliveriesResponse(long Waiting, long Retrying);

public sealed record StorageHealthResponse(string Status, double DurationMs, string? Description);

public sealed record UserLookupResponse(
    string AppId, string UserId, UserGrainResponse Grain, NotificationCountsResponse Notifications,
    IReadOnlyList<SubscriptionStatusResponse> Subscriptions, IReadOnlyList<UserDeliveryResponse> Deliveries);

public sealed record UserGrainResponse(string Node, long Sequence, int LiveConnections, IReadOnlyList<string> ConnectionNodes);

public sealed record NotificationCountsResponse(
    int Total, int Unread, int Read, int NoInteraction, int Activated, int Dismissed, int Snoozed);

public sealed record SubscriptionStatusResponse(
    string Id, string PlatformType, string Status, string? DeviceId, DateTimeOffset CreatedDateTime, DateTimeOffset ExpirationDateTime);

public sealed record UserDeliveryResponse(
    string SubscriptionId, string NotificationId, string Kind, string PlatformType, long Sequence, string Change, string Status,
    int Attempts, DateTimeOffset? LastAttemptDateTime, DateTimeOffset? NextAttemptDateTime, string? LastError);
