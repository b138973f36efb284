using System.Text.Json.Serialization;

namespace OrleansNotifications.Server.Api.Contracts;

/// <summary>What an operator set for one platform, without its secret.</summary>
public sealed record PushSettingsResponse(
    string Platform, string? ProjectId = null, string? ClientEmail = null, string? TeamId = null, string? KeyId = null,
    string? BundleId = null, string? Environment = null, string? Subject = null, string? VapidPublicKey = null);

public sealed record DeliveryResponse(
    string SubscriptionId,
    string Platform,
    string Status,
    int Attempts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastAttemptDateTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastError);

public sealed record DeliveryList(IReadOnlyList<DeliveryResponse> Value);
