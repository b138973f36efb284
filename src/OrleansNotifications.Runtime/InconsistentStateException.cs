namespace OrleansNotifications.Runtime;

/// <summary>
/// A state write lost its compare-and-swap: another activation (a stale duplicate, or the new owner after failover) wrote
/// first. The writing activation deactivates; the caller may retry, which reaches a fresh activation that reads the newer state.
/// </summary>
public sealed class InconsistentStateException(string message) : Exception(message);
