using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Operators;

/// <summary>A server whose every log line, of every category and level this service writes, is kept for inspection.</summary>
public sealed class LogCapturingServer : ServerFixture
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddLogging(logging => logging
            .AddProvider(new CapturingProvider(Lines))
            .SetMinimumLevel(LogLevel.Trace)
            // As shipped (appsettings.json): at Information, ASP.NET Core logs each request's URL, and a browser's hub
            // WebSocket URL carries its token (see docs/API-DECISIONS.md).
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}

public sealed class SecretsInLogsTests(LogCapturingServer server) : IClassFixture<LogCapturingServer>
{
    [Fact]
    public async Task NoKeySecretOrToken_EverReachesTheLogs_EvenWhenRequestsFail()
    {
        var app = await server.CreateAppAsync();
        var userToken = await app.UserTokenAsync("alice");
        await app.PublishAsync("alice");
        await using (var device = await HubClient.ConnectAsync(server.Server, userToken))
        {
            await device.InvokeAsync("MarkAllRead");
        }

        // Failures log too: a wrong secret, a tampered token, a bad admin key.
        await server.Anonymous().PostAsync("/v1/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = app.ClientId, ["client_secret"] = app.ClientSecret + "x",
        }));
        await server.CreateClient().WithBearer(app.AppToken[..^2] + "xx").GetAsync("/v1/users/alice/notifications");
        await server.CreateClient().WithBearer(ServerFixture.AdminKeyValue + "x").GetAsync("/v1/admin/cluster");
        await server.Admin().GetAsync("/metrics");

        Assert.NotEmpty(server.Lines); // the capture works: the service did log
        foreach (var secret in new[] { ServerFixture.AdminKeyValue, app.ClientSecret, app.AppToken, userToken })
        {
            Assert.DoesNotContain(server.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(server.Lines, line => line.Contains(secret[..(secret.Length / 2)], StringComparison.Ordinal));
        }
    }
}
