using System.Reflection;

namespace OrleansNotifications.Runtime.Activation;

/// <summary>Delivers calls to activations in this process. Local calls never serialise their arguments.</summary>
internal sealed class LocalGrainCallInvoker(GrainCatalog catalog) : IGrainCallInvoker
{
    public Task<T> InvokeAsync<T>(GrainId grain, MethodInfo method, object?[] arguments)
    {
        var call = new CallWorkItem<T>(method, arguments, catalog);
        catalog.Dispatch(grain, call);
        return call.Completion;
    }
}
