using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

public sealed class UserTokenRequest
{
    public int? ExpiresInSeconds { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class AppCreateRequest
{
    public string? AppId { get; set; }
    public string? DisplayName { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
