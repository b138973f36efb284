namespace OrleansNotifications.Runtime;

/// <summary>The backing store could not be reached or refused the work; nothing was applied. Callers answer 503.</summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
