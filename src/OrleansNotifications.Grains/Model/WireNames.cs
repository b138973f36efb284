namespace OrleansNotifications.Grains.Model;

/// <summary>The contract's spelling of each enum value, and case-insensitive parsing of it.</summary>
public static class WireNames
{
    public static readonly IReadOnlyDictionary<string, ReadState> ReadStates = Map<ReadState>();
    public static readonly IReadOnlyDictionary<string, UserActionState> UserActionStates = Map<UserActionState>();
    public static readonly IReadOnlyDictionary<string, Priority> Priorities = Map<Priority>();
    public static readonly IReadOnlyDictionary<string, PlatformType> PlatformTypes = Map<PlatformType>();

    public static string Of(PlatformType value) => value == PlatformType.WebPush ? "webpush" : value.ToString().ToLowerInvariant();

    public static string Of(ChangeKind value) => value.ToString().ToLowerInvariant();

    private static Dictionary<string, T> Map<T>() where T : struct, Enum =>
        Enum.GetValues<T>().ToDictionary(
            v => typeof(T) == typeof(PlatformType) ? Of((PlatformType)(object)v) : Camel(v.ToString()),
            StringComparer.OrdinalIgnoreCase);

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
