using System.Text.Json.Serialization;

namespace OrleansNotifications.Grains.Model;

[JsonConverter(typeof(JsonStringEnumConverter<ReadState>))]
public enum ReadState
{
    [JsonStringEnumMemberName("unread")] Unread,
    [JsonStringEnumMemberName("read")] Read,
}

[JsonConverter(typeof(JsonStringEnumConverter<UserActionState>))]
public enum UserActionState
{
    [JsonStringEnumMemberName("noInteraction")] NoInteraction,
    [JsonStringEnumMemberName("activated")] Activated,
    [JsonStringEnumMemberName("dismissed")] Dismissed,
    [JsonStringEnumMemberName("snoozed")] Snoozed,
}

[JsonConverter(typeof(JsonStringEnumConverter<Priority>))]
public enum Priority
{
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("high")] High,
}

[JsonConverter(typeof(JsonStringEnumConverter<PlatformType>))]
public enum PlatformType
{
    [JsonStringEnumMemberName("android")] Android,
    [JsonStringEnumMemberName("ios")] Ios,
    [JsonStringEnumMemberName("webpush")] WebPush,
}

[JsonConverter(typeof(JsonStringEnumConverter<ChangeKind>))]
public enum ChangeKind
{
    [JsonStringEnumMemberName("created")] Created,
    [JsonStringEnumMemberName("updated")] Updated,
    [JsonStringEnumMemberName("deleted")] Deleted,
    [JsonStringEnumMemberName("expired")] Expired,
}
