using Microsoft.Extensions.DependencyInjection;

namespace OrleansNotifications.Runtime.Hosting;

/// <summary>Which class implements which grain interface, under which short type name (the first part of a <see cref="GrainId"/>).</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, string> _namesByInterface = [];
    private readonly Dictionary<string, ObjectFactory> _factoriesByName = [];
    private readonly Dictionary<string, Type> _interfacesByName = [];

    internal void Add(Type grainInterface, Type implementation, string typeName)
    {
        _namesByInterface[grainInterface] = typeName;
        _interfacesByName[typeName] = grainInterface;
        _factoriesByName[typeName] = ActivatorUtilities.CreateFactory(implementation, []);
    }

    public string TypeNameOf(Type grainInterface) =>
        _namesByInterface.TryGetValue(grainInterface, out var name)
            ? name
            : throw new InvalidOperationException($"No grain implements {grainInterface.Name}; register it with AddGrain.");

    /// <summary>The grain interface registered under <paramref name="typeName"/>, if any (calls from other nodes name it so).</summary>
    public Type? InterfaceOf(string typeName) => _interfacesByName.GetValueOrDefault(typeName);

    internal Grain CreateGrain(string typeName, IServiceProvider services) =>
        _factoriesByName.TryGetValue(typeName, out var factory)
            ? (Grain)factory(services, [])
            : throw new InvalidOperationException($"Unknown grain type '{typeName}'.");
}
