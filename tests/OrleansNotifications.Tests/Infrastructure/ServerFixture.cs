using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansNotifications.Runtime.Reminders;
using OrleansNotifications.Server.Maintenance;

namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>
/// One in-memory server per test class, on its own throwaway data directory and a clock the tests move. Tests of a class
/// share it, so each uses its own app or user ids.
/// </summary>
public class ServerFixture : WebApplicationFactory<Program>
{
    public const string AdminKeyValue = "test-admin-key-0123456789";

    private readonly TempDirectory _data = new();

    public ManualTimeProvider Clock { get; } = new();

    public string DataDirectory => _data.Path;

    /// <summary>Extra configuration for a derived fixture (e.g. a tight rate limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Notifications:DataDirectory", DataDirectory);
        builder.UseSetting("Notifications:AdminKey", AdminKeyValue);
        builder.UseSetting("Notifications:Storage:Synchronous", "NORMAL");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices(services);
        });
    }

    /// <summary>Service replacements for a derived fixture.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public HttpClient Anonymous() => CreateClient();

    /// <summary>
    /// Moves the clock on by <paramref name="time"/>, lets due reminders fire (expiry) and prunes the change feed, as the
    /// background services would. Tokens issued before may have expired afterwards.
    /// </summary>
    public async Task AdvanceAndPruneAsync(TimeSpan time)
    {
        Clock.Advance(time);
        await Services.GetRequiredService<ReminderService>().PollOnceAsync();
        await Services.GetServices<IHostedService>().OfType<RetentionPruner>().Single().PruneAsync();
    }

    public HttpClient Admin() => CreateClient().WithBearer(AdminKeyValue);

    /// <summary>Creates an app through the admin API and returns it with a client carrying its app token.</summary>
    public async Task<TestApp> CreateAppAsync(string? appId = null)
    {
        appId ??= "app-" + Guid.NewGuid().ToString("N")[..12];
        var created = await Admin().PostJsonAsync("/v1/admin/apps", $$"""{"appId":"{{appId}}"}""").ExpectAsync(201);
        var clientId = created.Str("clientId");
        var secret = created.Str("clientSecret");
        return new TestApp(this, appId, clientId, secret, await AppTokenAsync(clientId, secret));
    }

    public async Task<string> AppTokenAsync(string clientId, string secret)
    {
        var token = await Anonymous().PostAsync("/v1/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        })).ExpectAsync(200);
        return token.Str("access_token");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }
}

public sealed record TestApp(ServerFixture Server, string AppId, string ClientId, string ClientSecret, string AppToken)
{
    /// <summary>A user id no other test uses, so tests sharing a server never see each other's notifications.</summary>
    public static string NewUserId() => "u-" + Guid.NewGuid().ToString("N")[..10];

    public HttpClient Client() => Server.CreateClient().WithBearer(AppToken);

    /// <summary>The same app with a freshly issued token (after a test moved the clock past the old one's expiry).</summary>
    public async Task<TestApp> WithFreshTokenAsync() => this with { AppToken = await Server.AppTokenAsync(ClientId, ClientSecret) };

    public async Task<string> UserTokenAsync(string userId, int? expiresInSeconds = null)
    {
        var body = expiresInSeconds is null ? "{}" : $$"""{"expiresInSeconds":{{expiresInSeconds}}}""";
        var response = await Client().PostJsonAsync($"/v1/users/{userId}/tokens", body).ExpectAsync(201);
        return response.Str("token");
    }

    public async Task<HttpClient> UserClientAsync(string userId) => Server.CreateClient().WithBearer(await UserTokenAsync(userId));

    /// <summary>
    /// Publishes a minimal notification and returns the resource: 201 for a new one; with an appNotificationId also 200
    /// (a replacement or a retry), never anything else.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> PublishAsync(string userId, string? appNotificationId = null, string title = "Hello", string? extra = null)
    {
        var anid = appNotificationId is null ? "" : $"\"appNotificationId\":\"{appNotificationId}\",";
        var more = extra is null ? "" : extra + ",";
        var response = await Client().PostJsonAsync($"/v1/users/{userId}/notifications",
            $$"""{ {{anid}} {{more}} "payload": { "visualContent": { "title": "{{title}}" } } }""");
        var status = (int)response.StatusCode;
        Assert.True(status == 201 || (appNotificationId is not null && status == 200),
            $"Publish answered {status}: {await response.Content.ReadAsStringAsync()}");
        return await response.ExpectAsync(status);
    }
}
