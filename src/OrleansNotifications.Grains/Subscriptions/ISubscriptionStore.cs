namespace OrleansNotifications.Grains.Subscriptions;

public interface ISubscriptionStore
{
    /// <summary>
    /// Stores the subscription. If the user already has one with the same device id, that one is replaced in place and keeps
    /// its id. Returns the stored subscription, or null when the user already has <paramref name="maxPerUser"/> others.
    /// </summary>
    Task<Subscription?> SaveAsync(Subscription subscription, int maxPerUser);

    /// <summary>The user's unexpired subscriptions, newest first.</summary>
    Task<IReadOnlyList<Subscription>> ListAsync(UserKey user, DateTimeOffset now);

    /// <summary>An unexpired subscription by id, whoever owns it.</summary>
    Task<Subscription?> GetAsync(string id, DateTimeOffset now);

    Task<bool> DeleteAsync(UserKey user, string id);

    /// <summary>The provider says the endpoint is gone: it receives nothing more (status <c>invalid</c>).</summary>
    Task MarkInvalidAsync(string id);
}
