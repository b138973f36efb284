namespace OrleansNotifications.Grains;

/// <summary>A user of an app. Users of two apps are different users even when their ids are equal.</summary>
public readonly record struct UserKey(string AppId, string UserId)
{
    /// <summary>The UserGrain key. App ids and user ids cannot contain '/', so the split is unambiguous.</summary>
    public string GrainKey => $"{AppId}/{UserId}";

    public static UserKey FromGrainKey(string grainKey)
    {
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        return new UserKey(grainKey[..slash], grainKey[(slash + 1)..]);
    }

    public override string ToString() => GrainKey;
}
