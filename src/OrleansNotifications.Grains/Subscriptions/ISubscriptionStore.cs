namespace OrleansNotifications.Grains.Subscriptions;

public interface ISubscriptionStore
{
    /// <summary>
    /// Stores the subscription. If the user already has one with the same device id, or else one with the same push address
    /// (token or Web Push endpoint), that one is replaced in place and keeps its id (and its device id, if the new one has
    /// none): re-posting renews a subscription instead of adding a second that would get every push twice. Any other of the
    /// user's subscriptions for that address goes. Returns the stored subscription, or null when the user already has
    /// <paramref name="maxPerUser"/> others.
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
