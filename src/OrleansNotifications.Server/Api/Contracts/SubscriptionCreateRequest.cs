using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

public sealed class SubscriptionCreateRequest
{
    public string? Platform { get; set; }
    public string? DeviceId { get; set; }
    public string? PushToken { get; set; }
    public WebPushRequest? WebPush { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class WebPushRequest
{
    public string? Endpoint { get; set; }
    public WebPushKeysRequest? Keys { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class WebPushKeysRequest
{
    public string? P256dh { get; set; }
    public string? Auth { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
