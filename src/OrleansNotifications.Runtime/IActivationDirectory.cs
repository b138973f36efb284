namespace OrleansNotifications.Runtime;

/// <summary>What lives on this node: activation counts per grain type (operators, the cluster route).</summary>
public interface IActivationDirectory
{
    IReadOnlyDictionary<string, int> CountByType();
}
