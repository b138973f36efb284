namespace OrleansNotifications.Runtime.Transport;

/// <summary>A grain on another node failed with something other than the runtime's own exceptions.</summary>
public sealed class GrainCallException(string message) : Exception(message);
