using System.Reflection;

namespace OrleansNotifications.Runtime;

/// <summary>
/// Where a grain reference sends its calls. The single-node runtime delivers them locally; the cluster routes each to the
/// node that owns the grain (the seam placement and remote calls plug into).
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>Calls <paramref name="method"/> on the grain. For methods returning a plain Task, <typeparamref name="T"/> is <c>object</c>.</summary>
    Task<T> InvokeAsync<T>(GrainId grain, MethodInfo method, object?[] arguments);
}
