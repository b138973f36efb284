using System.Net.Http.Json;
using System.Text.Json;
using OrleansNotifications.Benchmarks;

// Usage: publish <baseUrl[,baseUrl…]> <adminKey> [--concurrency N] [--rate R] [--duration S] [--warmup S] [--users U]
//   Each publish goes to a user at random (repeatably); --round-robin 1 sends them to user-0, user-1, … in turn instead,
//   the order of the figures before the fifth session (see UserOrder).
//   Several base URLs (nodes of one cluster): requests go to them in turn.
//   Creates a fresh app through the admin API, then publishes flat out (closed loop) or at --rate per second (open loop).
// Usage: sqlite-baseline <databaseFile> [--rows N] [--users U]
//   The storage engine alone: the rows a publish writes, in batches of 64, into the service's own schema.
UserOrder.RoundRobin = Flag("--round-robin", 0) == 1;
if (args.Length >= 2 && args[0] == "sqlite-baseline")
{
    SqliteBaseline.Run(args[1], Flag("--rows", 1_000_000), Flag("--users", 10_000));
    return 0;
}

if (args.Length >= 3 && args[0] == "push")
{
    // push <baseUrl> <adminKey> --fake-http1-port P --fake-http2-port P [--rate R] [--duration S] [--warmup S] [--users U]
    await using var fakes = await FakeProviders.StartAsync(Flag("--fake-http1-port", 5201), Flag("--fake-http2-port", 5202));
    var push = new PushDelivery(args[1], args[2], fakes, Flag("--fake-http1-port", 5201), Flag("--users", 1000));
    foreach (var platform in new[] { "android", "ios", "webpush" })
    {
        await push.RunAsync(platform, Flag("--rate", 500), TimeSpan.FromSeconds(Flag("--warmup", 5)), TimeSpan.FromSeconds(Flag("--duration", 20)));
    }

    return 0;
}

if (args.Length >= 3 && args[0] == "live")
{
    // live <baseUrl> <adminKey> [--connections N] [--devices D] [--rate R] [--sync-rate S] [--flat-out C] [--duration S]
    //      [--warmup S] [--hub-url URL] [--http2 1] [--server-pid PID] [--latency-log FILE]
    //   N hub connections (D per user); publish → change at R/s; MarkRead → change on another device at S/s; relay flat out
    //   with C publishes in flight. --hub-url with --http2 1: WebSockets over HTTP/2 (h2c) to an HTTP/2-only endpoint.
    //   --latency-log: each measured receipt of the R/s scenario as "<send time, s of CLOCK_MONOTONIC> <latency ms>".
    var live = new LiveLoad(args[1], args[2], new Uri(Text("--hub-url") ?? args[1]), Flag("--http2", 0) == 1,
        Flag("--server-pid", 0) is > 0 and var pid ? pid : null, Text("--latency-log"));
    return await live.RunAsync(Flag("--connections", 1000), Flag("--devices", 2), Flag("--rate", 1000), Flag("--sync-rate", 0),
        Flag("--flat-out", 0), TimeSpan.FromSeconds(Flag("--warmup", 5)), TimeSpan.FromSeconds(Flag("--duration", 20)));
}

if (args.Length < 3 || args[0] != "publish")
{
    Console.Error.WriteLine("usage: publish <baseUrl> <adminKey> [options] | live <baseUrl> <adminKey> [options] | push <baseUrl> <adminKey> [options] | sqlite-baseline <databaseFile> [--rows N] [--users U]");
    return 2;
}

var baseUrl = args[1];
var adminKey = args[2];
var concurrency = Flag("--concurrency", 64);
var rate = Flag("--rate", 0);
var duration = TimeSpan.FromSeconds(Flag("--duration", 30));
var warmup = TimeSpan.FromSeconds(Flag("--warmup", 20));
var users = Flag("--users", 10_000);

var nodes = baseUrl.Split(',');
var app = await BenchmarkApp.CreateAsync(nodes[0], adminKey);
var token = app.Token;
Console.WriteLine($"app: {app.AppId} (users user-0 … user-{users - 1})");
var clients = nodes.Select(url => PublishLoad.CreateClient(url, token, rate > 0 ? 512 : concurrency)).ToArray();
var load = new PublishLoad(clients, users);

var (perSecond, latency) = rate > 0
    ? await load.FixedRateAsync(rate, warmup, duration)
    : await load.FlatOutAsync(concurrency, warmup, duration);

var mode = (rate > 0 ? $"fixed rate {rate}/s" : $"flat out, {concurrency} in flight") + (nodes.Length > 1 ? $", through {nodes.Length} nodes" : "");
Console.WriteLine($"publish ({mode}, {users} users{(UserOrder.RoundRobin ? " in turn" : " at random")}, {duration.TotalSeconds:F0} s): {perSecond:F0} acknowledged/s; {latency.Summary()}; failed {load.Failed}");
if (rate > 0)
{
    Console.WriteLine($"  schedule lag of the generator (how late requests started): {load.ScheduleLag.Summary()}");
}

return load.Failed == 0 ? 0 : 1;

string? Text(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Flag(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
