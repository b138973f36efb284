using System.Text.Json.Serialization.Metadata;

namespace OrleansNotifications.Runtime.Storage;

/// <summary>Creates the persistent state of a grain; the grain calls it in its constructor or <c>OnActivateAsync</c>.</summary>
public interface IPersistentStateFactory
{
    IPersistentState<TState> Create<TState>(GrainId grain, string stateName, JsonTypeInfo<TState> typeInfo)
        where TState : class, new();
}
