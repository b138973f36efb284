namespace OrleansNotifications.Runtime;

/// <summary>Decides which node owns a grain. One node owns everything until the cluster's rendezvous placement replaces this.</summary>
public interface IGrainPlacement
{
    bool IsLocal(GrainId grain);
}

internal sealed class SingleNodePlacement : IGrainPlacement
{
    public bool IsLocal(GrainId grain) => true;
}
