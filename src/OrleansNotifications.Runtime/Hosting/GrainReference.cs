using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansNotifications.Runtime.Hosting;

/// <summary>
/// The object behind a grain interface handed out by <see cref="IGrainFactory"/>: every interface call becomes a message
/// to the grain through <see cref="IGrainCallInvoker"/>. Public only because <see cref="DispatchProxy"/> derives from it.
/// </summary>
public class GrainReference : DispatchProxy
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<IGrainCallInvoker, GrainId, MethodInfo, object?[], object>> Dispatchers = new();
    private static readonly MethodInfo TypedDispatch =
        typeof(GrainReference).GetMethod(nameof(DispatchTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private IGrainCallInvoker? _invoker;

    public GrainId GrainId { get; private set; }

    internal void Bind(GrainId grainId, IGrainCallInvoker invoker)
    {
        GrainId = grainId;
        _invoker = invoker;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var dispatch = Dispatchers.GetOrAdd(targetMethod, CreateDispatcher);
        return dispatch(_invoker!, GrainId, targetMethod, args ?? []);
    }

    private static Func<IGrainCallInvoker, GrainId, MethodInfo, object?[], object> CreateDispatcher(MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            return static (invoker, id, m, args) => invoker.InvokeAsync<object>(id, m, args);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return TypedDispatch.MakeGenericMethod(returnType.GetGenericArguments()[0])
                .CreateDelegate<Func<IGrainCallInvoker, GrainId, MethodInfo, object?[], object>>();
        }

        throw new NotSupportedException(
            $"Grain method {method.DeclaringType?.Name}.{method.Name} must return Task or Task<T>, not {returnType.Name}.");
    }

    private static object DispatchTyped<T>(IGrainCallInvoker invoker, GrainId id, MethodInfo method, object?[] args) =>
        invoker.InvokeAsync<T>(id, method, args);
}
