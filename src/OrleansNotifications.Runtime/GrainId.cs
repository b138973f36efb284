namespace OrleansNotifications.Runtime;

/// <summary>Identity of a grain: its registered type name and its key, e.g. <c>user/app1/alice</c>.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>Separates a key's placement group from the rest: grains whose keys share the group live on the same node.</summary>
    public const char PlacementSeparator = '#';

    /// <summary>
    /// What placement hashes: the key up to <see cref="PlacementSeparator"/>, or all of it. So <c>app/alice#sub1</c> (an
    /// endpoint of alice) is placed with <c>app/alice</c> (her user grain), whatever the grain types.
    /// </summary>
    public string PlacementKey => Key.IndexOf(PlacementSeparator, StringComparison.Ordinal) is var at and >= 0 ? Key[..at] : Key;

    public override string ToString() => $"{Type}/{Key}";
}
