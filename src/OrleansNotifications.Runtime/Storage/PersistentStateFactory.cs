using System.Text.Json.Serialization.Metadata;

namespace OrleansNotifications.Runtime.Storage;

internal sealed class PersistentStateFactory(IGrainStorage storage) : IPersistentStateFactory
{
    public IPersistentState<TState> Create<TState>(GrainId grain, string stateName, JsonTypeInfo<TState> typeInfo)
        where TState : class, new() => new PersistentState<TState>(storage, grain, stateName, typeInfo);
}
