using System.Reflection;

namespace OrleansNotifications.Runtime.Hosting;

internal sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var proxy = DispatchProxy.Create<TGrainInterface, GrainReference>();
        ((GrainReference)(object)proxy).Bind(new GrainId(registry.TypeNameOf(typeof(TGrainInterface)), key), invoker);
        return proxy;
    }
}
