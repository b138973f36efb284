using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

/// <summary>RFC 6749 §5.1 token response (snake_case by that standard).</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>RFC 6749 §5.2 error response.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

public sealed record UserTokenResponse(string Token, DateTimeOffset ExpiresDateTime);

public sealed record AppCreatedResponse(string AppId, string? DisplayName, string ClientId, string ClientSecret, string VapidPublicKey);

public sealed record SubscriptionResponse(
    string Id,
    string Platform,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? DeviceId, // API.md lists it: null when none was sent
    DateTimeOffset CreatedDateTime,
    DateTimeOffset ExpirationDateTime,
    string Status);

public sealed record SubscriptionList(IReadOnlyList<SubscriptionResponse> Value);


