// The framework's limit, for the ratio in docs/BENCHMARKS.md: ASP.NET Core SignalR relaying each publish to the user's
// connections (a group per user), with no storage, no grains and no auth. It answers the same routes the load generator
// calls on the real service (apps, tokens, user tokens, publish, the hub's Sync / MarkRead / MarkUnread), minimally.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();
var app = builder.Build();
var sequence = 0L;

app.MapPost("/v1/admin/apps", () => Results.Json(new { appId = "bare", clientId = "bare", clientSecret = "bare" }, statusCode: 201));
app.MapPost("/v1/oauth2/token", () => Results.Json(new { access_token = "bare" }));
app.MapPost("/v1/users/{user}/tokens", (string user) => Results.Json(new { token = user }, statusCode: 201));
app.MapPost("/v1/users/{user}/notifications", async (string user, JsonObject body, IHubContext<RelayHub> hub) =>
{
    var id = Guid.NewGuid().ToString("N");
    var n = Interlocked.Increment(ref sequence);
    var notification = new JsonObject { ["id"] = id, ["readState"] = "unread", ["payload"] = body["payload"]?.DeepClone() };
    await hub.Clients.Group(user).SendAsync("change", new JsonObject
    {
        ["sequence"] = n, ["kind"] = "created", ["notificationId"] = id, ["notification"] = notification,
    });
    return Results.Json(new { id, sequence = n }, statusCode: 201);
});
app.MapHub<RelayHub>("/hubs/notifications");
// The runtime's collection counters and the publishes' own request timing, named as the service's GET /metrics names them:
// the load generator reports both servers' GC pauses, and how many publishes each took longer than 15 ms, while measuring.
using var publishTiming = new PublishTiming();
app.MapGet("/metrics", () => FormattableString.Invariant(
    $"dotnet_gc_pause_time_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n") + string.Concat(Enumerable.Range(0, 3).Select(gen =>
    FormattableString.Invariant($"dotnet_gc_collections_total{{gc_heap_generation=\"gen{gen}\"}} {GC.CollectionCount(gen) - (gen < 2 ? GC.CollectionCount(gen + 1) : 0)}\n"))) +
    publishTiming.Text());
app.Run();

/// <summary>
/// Counts the publishes ASP.NET Core's own <c>http.server.request.duration</c> instrument times (from the parsed request to
/// its response, as the service's histogram does), and those within 15 ms: the two buckets of the service's histogram
/// that the load generator reads.
/// </summary>
internal sealed class PublishTiming : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private long _publishes;
    private long _within15Ms;

    public PublishTiming()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "http.server.request.duration", Meter.Name: "Microsoft.AspNetCore.Hosting" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "http.route", Value: "/v1/users/{user}/notifications" })
                {
                    Interlocked.Increment(ref _publishes);
                    if (seconds <= 0.015)
                    {
                        Interlocked.Increment(ref _within15Ms);
                    }
                }
            }
        });
        _listener.Start();
    }

    public string Text()
    {
        const string series = "http_server_request_duration_seconds_bucket{http_request_method=\"POST\",http_route=\"/v1/users/{userId}/notifications\"";
        return FormattableString.Invariant($"{series},le=\"0.015\"}} {Interlocked.Read(ref _within15Ms)}\n{series},le=\"+Inf\"}} {Interlocked.Read(ref _publishes)}\n");
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>A device: the <c>access_token</c> is the user id; the connection joins the user's group.</summary>
internal sealed class RelayHub : Hub
{
    private string User => Context.GetHttpContext()!.Request.Query["access_token"].ToString();

    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, User);

    public object Sync(long since) => new { value = Array.Empty<object>(), nextSince = since, hasMore = false };

    public Task MarkRead(string id) => Changed(id, "read");

    public Task MarkUnread(string id) => Changed(id, "unread");

    private Task Changed(string id, string readState) => Clients.Group(User).SendAsync("change", new JsonObject
    {
        ["kind"] = "updated", ["notificationId"] = id,
        ["notification"] = new JsonObject { ["id"] = id, ["readState"] = readState, ["payload"] = new JsonObject { ["visualContent"] = new JsonObject { ["title"] = "x" } } },
    });
}
