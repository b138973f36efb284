namespace OrleansNotifications.Grains.Apps;

public interface IAppStore
{
    /// <summary>Stores a new app; false if the app id is taken.</summary>
    Task<bool> TryCreateAsync(AppRecord app);

    Task<AppRecord?> GetAsync(string appId);

    Task<AppRecord?> FindByClientIdAsync(string clientId);

    /// <summary>
    /// Returns the cluster-wide secret stored under <paramref name="name"/>, storing <paramref name="candidate"/> first if there
    /// is none; every node thus signs and verifies tokens with the same key.
    /// </summary>
    Task<string> GetOrAddServerSecretAsync(string name, string candidate);
}
