using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Push;

/// <summary>A server whose push providers are scripted, with a small attempt limit.</summary>
public sealed class PushServerFixture : ServerFixture
{
    public const int MaxAttempts = 3;

    public Dictionary<PlatformType, ScriptedPushProvider> Providers { get; } = Enum.GetValues<PlatformType>()
        .ToDictionary(platform => platform, platform => new ScriptedPushProvider(platform));

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Notifications:Push:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Notifications:Push:WebPush:AllowInsecureEndpoints", "true"),
    ];

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<IPushProvider>();
        foreach (var provider in Providers.Values)
        {
            services.AddSingleton<IPushProvider>(provider);
        }
    }
}
