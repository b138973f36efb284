using System.Text.Json;
using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Push;

/// <summary>The contract's spelling of the states a state-sync push carries (WireNames only parses them).</summary>
internal static class PushWireNames
{
    public static string Of(ReadState value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static string Of(UserActionState value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
