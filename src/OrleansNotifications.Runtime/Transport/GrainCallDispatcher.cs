using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using OrleansNotifications.Runtime.Activation;
using OrleansNotifications.Runtime.Hosting;
using OrleansNotifications.Runtime.Membership;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>The receiving end of a call from another node: decode, check this node owns the grain, run it locally, encode.</summary>
public sealed class GrainCallDispatcher
{
    private static readonly MethodInfo InvokeLocal = typeof(GrainCallDispatcher).GetMethod(nameof(InvokeLocalAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private readonly ConcurrentDictionary<(string Type, string Method), MethodInfo?> _methods = new();
    private readonly GrainTypeRegistry _registry;
    private readonly RendezvousPlacement _placement;
    private readonly GrainCallCodec _codec;
    private readonly IGrainCallInvoker _local;

    internal GrainCallDispatcher(GrainTypeRegistry registry, RendezvousPlacement placement, GrainCallCodec codec, GrainCatalog catalog)
    {
        (_registry, _placement, _codec) = (registry, placement, codec);
        _local = new LocalGrainCallInvoker(catalog);
    }

    /// <summary>HTTP status and body: 200 with the result, 421 not the owner here, 404 no such method, 400 undecodable, or an error.</summary>
    public async Task<(int Status, byte[] Body)> DispatchAsync(string type, string key, string methodName, byte[] body)
    {
        var method = _methods.GetOrAdd((type, methodName), k => _registry.InterfaceOf(k.Type)?.GetMethod(k.Method));
        if (method is null)
        {
            return (404, []);
        }

        var grain = new GrainId(type, key);
        if (!_placement.IsLocal(grain))
        {
            return (421, []); // the caller's view of the cluster is stale: it refreshes and asks the owner
        }

        object?[] arguments;
        try
        {
            arguments = _codec.ReadArguments(method, body);
        }
        catch (JsonException)
        {
            return (400, []);
        }

        var resultType = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : typeof(object);
        try
        {
            var result = await (Task<object?>)InvokeLocal.MakeGenericMethod(resultType).Invoke(this, [grain, method, arguments])!;
            return (200, resultType == typeof(object) ? "null"u8.ToArray() : _codec.WriteResult(resultType, result));
        }
        catch (Exception exception)
        {
            return (RemoteGrainCallInvoker.StatusOf(exception), JsonSerializer.SerializeToUtf8Bytes(exception.Message, GrainCallErrorContext.Default.String));
        }
    }

    private async Task<object?> InvokeLocalAsync<T>(GrainId grain, MethodInfo method, object?[] arguments) =>
        await _local.InvokeAsync<T>(grain, method, arguments);
}
