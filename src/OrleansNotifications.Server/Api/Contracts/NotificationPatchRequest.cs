using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

public sealed class NotificationPatchRequest
{
    public string? ReadState { get; set; }
    public string? UserActionState { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
