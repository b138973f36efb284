using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

/// <summary>The publish body as sent; unknown properties land in <see cref="Unknown"/> and are rejected by validation.</summary>
public sealed class NotificationCreateRequest
{
    public string? AppNotificationId { get; set; }
    public string? TargetHostName { get; set; }
    public string? GroupName { get; set; }
    public TargetPolicyRequest? TargetPolicy { get; set; }
    public string? Priority { get; set; }
    public int? DisplayTimeToLive { get; set; }
    public string? ExpirationDateTime { get; set; }
    public PayloadRequest? Payload { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class TargetPolicyRequest
{
    public List<string>? PlatformTypes { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class PayloadRequest
{
    public string? RawContent { get; set; }
    public VisualContentRequest? VisualContent { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class VisualContentRequest
{
    public string? Title { get; set; }
    public string? Body { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
