namespace OrleansNotifications.Runtime;

/// <summary>Identity of a grain: its registered type name and its key, e.g. <c>user/app1/alice</c>.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";
}
