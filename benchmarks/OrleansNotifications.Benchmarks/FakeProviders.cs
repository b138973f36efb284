using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace OrleansNotifications.Benchmarks;

/// <summary>
/// Fast loopback stand-ins for FCM (with its token endpoint), APNs (HTTP/2 without TLS) and a Web Push service. They accept
/// everything at once and record when each device's requests arrive; the wire format itself is checked by the tests.
/// </summary>
public sealed class FakeProviders : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeProviders(WebApplication app) => _app = app;

    /// <summary>Per device (FCM token, APNs token or Web Push path): arrival timestamps, in order.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<long>> Arrivals { get; } = new();

    public long Total => Interlocked.Read(ref _total);

    private long _total;

    public static async Task<FakeProviders> StartAsync(int http1Port, int http2Port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, http1Port, o => o.Protocols = HttpProtocols.Http1AndHttp2);
            kestrel.Listen(IPAddress.Loopback, http2Port, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var fakes = new FakeProviders(app);
        app.MapPost("/token", () => Results.Text("""{"access_token":"fake-fcm-access-token","token_type":"Bearer","expires_in":3600}""", "application/json"));
        app.MapPost("/v1/projects/{project}/messages:send", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            fakes.Arrived(body.RootElement.GetProperty("message").GetProperty("token").GetString()!);
            return Results.Text("""{"name":"projects/bench/messages/1"}""", "application/json");
        });
        app.MapPost("/3/device/{token}", (string token) =>
        {
            fakes.Arrived(token);
            return Results.Ok();
        });
        app.MapPost("/push/{id}", async (string id, HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            fakes.Arrived(id);
            return Results.StatusCode(201);
        });
        await app.StartAsync();
        return fakes;
    }

    private void Arrived(string device)
    {
        Arrivals.GetOrAdd(device, _ => new ConcurrentQueue<long>()).Enqueue(Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _total);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
