using System.Collections.Concurrent;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Grains.Subscriptions;

namespace OrleansNotifications.Tests.Push;

/// <summary>
/// Stands in for a push service at the <see cref="IPushProvider"/> seam, to test the delivery policy (retries, limits,
/// invalidation, collapse) deterministically. The providers' wire formats are tested against loopback fakes elsewhere.
/// </summary>
public sealed class ScriptedPushProvider(PlatformType platform) : IPushProvider
{
    private readonly ConcurrentQueue<PushOutcome> _script = new();

    public PlatformType Platform => platform;

    public ConcurrentQueue<(Subscription Subscription, PushMessage Message)> Sent { get; } = new();

    /// <summary>Outcomes for the next sends, in order; after them every send is delivered.</summary>
    public void Answer(params PushOutcome[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            _script.Enqueue(outcome);
        }
    }

    public Task<PushOutcome> SendAsync(Subscription subscription, PushMessage message, AppPushCredentials credentials, CancellationToken cancellationToken)
    {
        Sent.Enqueue((subscription, message));
        return Task.FromResult(_script.TryDequeue(out var outcome) ? outcome : PushOutcome.Delivered);
    }
}
