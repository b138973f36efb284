using System.Text.Json.Serialization;
using OrleansNotifications.Grains.Json;

namespace OrleansNotifications.Server.Api.Contracts;

/// <summary>
/// Requests: property names match case-insensitively, a repeated property is an error. Responses: camelCase, nulls omitted,
/// instants in UTC with 'Z'.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(NotificationCreateRequest))]
[JsonSerializable(typeof(NotificationPatchRequest))]
[JsonSerializable(typeof(SubscriptionCreateRequest))]
[JsonSerializable(typeof(UserTokenRequest))]
[JsonSerializable(typeof(AppCreateRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(UserTokenResponse))]
[JsonSerializable(typeof(AppCreatedResponse))]
[JsonSerializable(typeof(SubscriptionResponse))]
[JsonSerializable(typeof(SubscriptionList))]
[JsonSerializable(typeof(FcmServiceAccountRequest))]
[JsonSerializable(typeof(ApnsCredentialsRequest))]
[JsonSerializable(typeof(WebPushSettingsRequest))]
[JsonSerializable(typeof(PushSettingsResponse))]
[JsonSerializable(typeof(NodeActivity))]
[JsonSerializable(typeof(UserLookupResponse))]
[JsonSerializable(typeof(DeliveryList))]
[JsonSerializable(typeof(ClusterResponse))]
public sealed partial class ServerJsonContext : JsonSerializerContext;
