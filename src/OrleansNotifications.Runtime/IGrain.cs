namespace OrleansNotifications.Runtime;

/// <summary>Marker for grain interfaces. Every method must return <see cref="Task"/> or <see cref="Task{TResult}"/>.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;
