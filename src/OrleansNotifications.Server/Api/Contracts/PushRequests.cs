using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

/// <summary>A Google service-account key file, as downloaded (other fields of it are kept as they are).</summary>
public sealed class FcmServiceAccountRequest
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("project_id")] public string? ProjectId { get; set; }
    [JsonPropertyName("private_key")] public string? PrivateKey { get; set; }
    [JsonPropertyName("client_email")] public string? ClientEmail { get; set; }
    [JsonPropertyName("token_uri")] public string? TokenUri { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

public sealed class ApnsCredentialsRequest
{
    public string? TeamId { get; set; }
    public string? KeyId { get; set; }
    public string? PrivateKey { get; set; }
    public string? BundleId { get; set; }
    public string? Environment { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class WebPushSettingsRequest
{
    public string? Subject { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
