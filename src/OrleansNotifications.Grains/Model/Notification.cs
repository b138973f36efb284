namespace OrleansNotifications.Grains.Model;

/// <summary>The notification resource exactly as the contract shows it (camelCase JSON, nulls omitted).</summary>
public sealed record Notification
{
    public required string Id { get; init; }
    public string? AppNotificationId { get; init; }
    public string? TargetHostName { get; init; }
    public string? GroupName { get; init; }
    public TargetPolicy? TargetPolicy { get; init; }
    public Priority Priority { get; init; }
    public int? DisplayTimeToLive { get; init; }
    public DateTimeOffset ExpirationDateTime { get; init; }
    public required Payload Payload { get; init; }
    public DateTimeOffset CreatedDateTime { get; init; }
    public DateTimeOffset LastModifiedDateTime { get; init; }
    public ReadState ReadState { get; init; }
    public UserActionState UserActionState { get; init; }
    public long Sequence { get; init; }
}

public sealed record TargetPolicy(IReadOnlyList<PlatformType>? PlatformTypes);

public sealed record Payload(string? RawContent, VisualContent? VisualContent);

public sealed record VisualContent(string Title, string? Body);
