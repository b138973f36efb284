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
// The runtime's collection counters, named as the service's GET /metrics names them: the load generator reports both
// servers' GC pauses while measuring.
app.MapGet("/metrics", () => FormattableString.Invariant(
    $"dotnet_gc_pause_time_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n") + string.Concat(Enumerable.Range(0, 3).Select(gen =>
    FormattableString.Invariant($"dotnet_gc_collections_total{{gc_heap_generation=\"gen{gen}\"}} {GC.CollectionCount(gen) - (gen < 2 ? GC.CollectionCount(gen + 1) : 0)}\n"))));
app.Run();

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
