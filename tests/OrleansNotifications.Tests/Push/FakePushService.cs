using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansNotifications.Tests.Push;

/// <summary>
/// A push service on loopback (Kestrel): records each request by path and answers what the test configured for that path.
/// Per-path answers let the tests of a class share one server.
/// </summary>
public sealed class FakePushService : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, RecordedPushRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (int Status, string? RetryAfter, string Body)> _answers = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A fresh endpoint answering <paramref name="status"/>.</summary>
    public string Endpoint(int status = 201, string? retryAfter = null, string body = "")
    {
        var path = $"/push/{Guid.NewGuid():N}";
        _answers[path] = (status, retryAfter, body);
        return new Uri(BaseAddress, path).ToString();
    }

    public RecordedPushRequest Received(string endpoint) => _requests[new Uri(endpoint).AbsolutePath];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Urls.Add("http://127.0.0.1:0");
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var path = context.Request.Path.Value!;
            _requests[path] = new RecordedPushRequest(
                context.Request.Method,
                path,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body.ToArray());

            var (status, retryAfter, text) = _answers.GetValueOrDefault(path, (404, null, ""));
            context.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await context.Response.WriteAsync(text);
        });
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
