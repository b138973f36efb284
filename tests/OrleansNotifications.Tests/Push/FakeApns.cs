using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansNotifications.Tests.Push;

/// <summary>APNs over h2c on loopback: production under <c>/prod</c>, the sandbox under <c>/dev</c>; records every request.</summary>
public sealed class FakeApns : IAsyncDisposable
{
    private LoopbackServer? _server;

    public sealed record Request(string Environment, string Protocol, string DeviceToken, IReadOnlyDictionary<string, string> Headers, JsonNode Body);

    /// <summary>APNs refuses a larger payload with 413 PayloadTooLarge.</summary>
    public const int MaxPayloadBytes = 4096;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Answers for the next requests (status, reason, Retry-After); then 200.</summary>
    public ConcurrentQueue<(int Status, string Reason, string? RetryAfter)> Responses { get; } = new();

    /// <summary>How long each answer is held back (to provoke timeouts).</summary>
    public TimeSpan Delay { get; set; }

    public Uri ProductionUrl => new(_server!.BaseUrl, "prod");

    public Uri DevelopmentUrl => new(_server!.BaseUrl, "dev");

    public static async Task<FakeApns> StartAsync()
    {
        var fake = new FakeApns();
        fake._server = await LoopbackServer.StartAsync(HttpProtocols.Http2, app => app.MapPost("/{environment}/3/device/{deviceToken}", fake.HandleAsync));
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<IResult> HandleAsync(HttpContext context, string environment, string deviceToken)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Requests.Enqueue(new Request(environment, context.Request.Protocol, deviceToken, headers, JsonNode.Parse(body.ToArray())!));
        if (body.Length > MaxPayloadBytes)
        {
            return Results.Json(new { reason = "PayloadTooLarge" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (!Responses.TryDequeue(out var next))
        {
            context.Response.Headers["apns-id"] = Guid.NewGuid().ToString().ToUpperInvariant();
            return Results.Ok();
        }

        if (next.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = next.RetryAfter;
        }

        return Results.Json(new { reason = next.Reason }, statusCode: next.Status);
    }
}
