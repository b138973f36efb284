namespace OrleansNotifications.Runtime.Transport;

/// <summary>A secret every node of the cluster shares, proving that a grain call comes from a node and not from outside.</summary>
public interface IClusterSecret
{
    string Value { get; }
}
