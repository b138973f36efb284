namespace OrleansNotifications.Runtime;

/// <summary>Hands out references to grains. A reference always works: the activation is created on its first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;
}
