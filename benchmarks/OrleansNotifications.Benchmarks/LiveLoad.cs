using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OrleansNotifications.Client;

namespace OrleansNotifications.Benchmarks;

/// <summary>
/// Many devices on the hub, through the project's own client (<see cref="HubConnection"/>): opens the connections, then
/// publishes over HTTP at a fixed rate (open loop) and measures publish → <c>change</c> on every device of the user, from the
/// moment the publish was sent (its send time travels in the title); MarkRead on one device → the change on another; and
/// flat-out relay throughput (changes delivered to devices per second). Prints what the server process holds per
/// connection (its resident memory, from /proc, before and after connecting) and, in the flat-out relay, the CPU it used per
/// publish (with the generator's own). With <c>latencyLog</c>, writes each measured receipt's send time and latency there
/// (<see cref="LatencyRecorder.WriteSpans"/>), so that a trace of the machine can say what the slow ones waited for.
/// </summary>
public sealed class LiveLoad(string baseUrl, string adminKey, Uri hubUrl, bool http2, int? serverPid, string? latencyLog)
{
    private readonly List<Device> _devices = [];
    private readonly LatencyRecorder _receive = new();
    private readonly LatencyRecorder _sync = new();
    private readonly LatencyRecorder _acknowledged = new();
    private readonly Dictionary<string, string> _tokens = [];
    private readonly HttpClient _metrics = new(); // the server's GET /metrics, read around each timed scenario
    private volatile bool _measuring;
    private long _received;
    private long _expected;

    private sealed record Device(string User, HubConnection Connection);

    public async Task<int> RunAsync(int connections, int devicesPerUser, int rate, int syncRate, int flatOutConcurrency, TimeSpan warmup, TimeSpan duration)
    {
        var app = await BenchmarkApp.CreateAsync(baseUrl, adminKey);
        using var http = PublishLoad.CreateClient(baseUrl, app.Token, 512);
        var users = Enumerable.Range(0, Math.Max(1, connections / devicesPerUser)).Select(i => $"user-{i}").ToList();
        await ForEachAsync(users, 32, async user =>
        {
            var token = await (await http.PostAsync($"/v1/users/{user}/tokens", null)).EnsureSuccessStatusCode()
                .Content.ReadFromJsonAsync<JsonElement>();
            lock (_tokens)
            {
                _tokens[user] = token.GetProperty("token").GetString()!;
            }
        });

        var memoryBefore = ResidentBytes();
        var started = Stopwatch.GetTimestamp();
        using var invoker = http2 ? new HttpMessageInvoker(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }) : null;
        var failedConnects = 0;
        await ForEachAsync(Enumerable.Range(0, users.Count * devicesPerUser).ToList(), 64, async i =>
        {
            var user = users[i % users.Count];
            var marker = i < users.Count; // each user's first device is the one that marks read in the state-sync scenario
            try
            {
                var connection = await HubConnection.ConnectAsync(hubUrl, _tokens[user], change => OnChange(user, marker, change), invoker, http2);
                lock (_devices)
                {
                    _devices.Add(new Device(user, connection));
                }
            }
            catch (Exception exception) when (exception is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException or TimeoutException)
            {
                Interlocked.Increment(ref failedConnects);
            }
        });
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the server settle (and collect) before reading its memory
        var memoryAfter = ResidentBytes();
        Console.WriteLine($"hub connections: {_devices.Count} open ({users.Count} users × {devicesPerUser} devices{(http2 ? ", WebSockets over HTTP/2" : "")}), " +
            $"{failedConnects} failed, in {connectSeconds:F1} s" + (memoryBefore is { } before && memoryAfter is { } after
                ? $"; server resident memory {before / 1048576.0:F0} MiB → {after / 1048576.0:F0} MiB: {(after - before) / 1024.0 / Math.Max(1, _devices.Count):F1} KiB per connection"
                : ""));

        if (rate > 0)
        {
            var (pauses, serverSlow) = await MeasureAsync(warmup, duration, (length, measuring) => PublishAtRateAsync(http, users, rate, length));
            Console.WriteLine($"publish → live change at {rate}/s ({users.Count} users × {devicesPerUser} devices): {_receive.Summary()}; " +
                $"received {_received} of {_expected} expected while measuring; {pauses}");
            // Splits the tail twice. A change is relayed only once its publish is committed, so when acknowledgements are as
            // late as receipts, the delay is in the request up to its commit, not in the relay. And the server times each
            // request itself, from its parsed headers to its response (its grain, its commit): what that does not see is the
            // time before the server parses a request (waiting for a core, or for its own collection to end), in the
            // sockets, and in this process.
            Console.WriteLine($"  the same publishes, sent → acknowledged (HTTP 201): {_acknowledged.Summary()}; " +
                $"over {SlowMs} ms: {100 * _acknowledged.ShareAbove(TimeSpan.FromMilliseconds(SlowMs)):F2}% here" +
                (serverSlow is { } share ? $", {100 * share:F2}% in the server's own timing of them (http.server.request.duration)" : ""));
            if (latencyLog is not null)
            {
                _receive.WriteSpans(latencyLog);
            }
        }

        if (syncRate > 0 && devicesPerUser >= 2)
        {
            await MeasureAsync(warmup, duration, (length, _) => MarkReadAtRateAsync(users, syncRate, length));
            Console.WriteLine($"state sync, MarkRead on one device → change on another, at {syncRate}/s: {_sync.Summary()}");
        }

        if (flatOutConcurrency > 0)
        {
            var (published, delivered, cpu) = await FlatOutAsync(http, users, flatOutConcurrency, warmup, duration);
            Console.WriteLine($"relay flat out ({flatOutConcurrency} publishes in flight): {published:F0} publishes/s acknowledged, " +
                $"{delivered:F0} changes/s delivered to devices; {cpu}");
        }

        await ForEachAsync(_devices, 256, async device => await device.Connection.DisposeAsync());
        return failedConnects == 0 ? 0 : 1;
    }

    private void OnChange(string user, bool marker, JsonElement change)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_measuring)
        {
            return;
        }

        Interlocked.Increment(ref _received);
        if (!change.TryGetProperty("notification", out var notification))
        {
            return;
        }

        // Read in place (the title's raw JSON, quotes included): strings made per receipt would make this process collect garbage, and pause, more often.
        var title = JsonMarshal.GetRawUtf8Value(notification.GetProperty("payload").GetProperty("visualContent").GetProperty("title"));
        var kind = change.GetProperty("kind");
        if (kind.ValueEquals("created") && title.StartsWith("\"t"u8) && Utf8Parser.TryParse(title[2..], out long sent, out var digits)
            && digits == title.Length - 3)
        {
            _receive.RecordSpan(sent, now);
            if (marker)
            {
                _latest[user] = notification.GetProperty("id").GetString()!;
            }
        }
        else if (kind.ValueEquals("updated") && !marker && notification.TryGetProperty("readState", out var read) && read.ValueEquals("read")
            && _syncStarted.TryRemove(notification.GetProperty("id").GetString()!, out var markedAt))
        {
            _sync.RecordElapsed(now - markedAt);
        }
    }

    // The latest notification each user's marker device received, and when a MarkRead of it was sent.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _latest = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _syncStarted = new();

    /// <summary>
    /// Runs the warm-up, then the measured part, during which this process does not collect garbage: with ten thousand
    /// sockets each collection paused it 12–38 ms (mostly marking through the connections' long-lived state), and a receipt
    /// that arrives during a pause is timestamped late. That would be the generator's tail, not the server's. Returns how
    /// long its own collections still paused it while measuring (none, unless it allocated more than the reserved room), the
    /// server's, and the share of the publishes the server answered meanwhile that took longer than <see cref="SlowMs"/> by its
    /// own timing (null when it does not say, or answered none).
    /// </summary>
    private async Task<(string Pauses, double? ServerSlowPublishes)> MeasureAsync(TimeSpan warmup, TimeSpan duration, Func<TimeSpan, bool, Task> run)
    {
        _measuring = false;
        await run(warmup, false);
        await Task.Delay(500);
        (_received, _expected) = (0, 0);
        var serverBefore = await ServerCountersAsync();
        var noCollections = TryStartNoCollections();
        var (pausedBefore, collectionsBefore, allocatedBefore) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.GetTotalAllocatedBytes());
        var roomExceeded = false;
        try
        {
            _measuring = true;
            await run(duration, true);
            await Task.Delay(1000); // the last changes are still on their way
            _measuring = false;
        }
        finally
        {
            if (noCollections)
            {
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    roomExceeded = true; // it allocated more than the room, so the runtime collected (and the pauses count)
                }
            }
        }

        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var collections = GC.CollectionCount(0) - collectionsBefore;
        // Only now: the first allocation after the region ends may start the collection the region put off, which is not
        // the measured part's.
        var serverAfter = await ServerCountersAsync();
        var note = !noCollections ? "; no room could be reserved to measure without collections" : roomExceeded ? "; more than the room reserved" : "";
        var window = duration + TimeSpan.FromSeconds(1); // the measured part and the second its last changes were given
        string Share(TimeSpan pause) => $"{pause.TotalMilliseconds:F0} ms ({100 * pause / window:F1}% of the time)";
        var pauses = $"the load generator's own GC paused it {Share(paused)} in {collections} collections " +
            $"(it allocated {allocated / 1048576.0:F0} MiB{note})" + (serverBefore is { } b && serverAfter is { } a
                ? $"; the server's GC paused it {Share(TimeSpan.FromSeconds(a.Paused - b.Paused))} in {a.Collections - b.Collections} collections"
                : "");
        var publishes = serverAfter?.Publishes - serverBefore?.Publishes;
        var slow = serverAfter?.SlowPublishes - serverBefore?.SlowPublishes;
        return (pauses, publishes > 0 && slow is { } over ? (double)over / publishes.Value : null);
    }

    /// <summary>The latency the live target allows (p99), for the share of publishes above it.</summary>
    private const int SlowMs = 15;

    /// <summary>What the server's <c>GET /metrics</c> says so far; each part null when it does not say it.</summary>
    private sealed record ServerCounters(double Paused, long Collections, long? Publishes, long? SlowPublishes);

    /// <summary>
    /// The server's own collections so far, from its <c>GET /metrics</c> (the runtime's counters): its pauses are where a
    /// receipt waits longest. With them, how many publishes it has answered and how many of those took longer than
    /// <see cref="SlowMs"/> by its own request timing (ASP.NET Core's <c>http.server.request.duration</c> histogram, which
    /// has a bucket bound there). Null when the server does not say (a server without that route).
    /// </summary>
    private async Task<ServerCounters?> ServerCountersAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(baseUrl), "/metrics"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
            using var response = await _metrics.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            double? paused = null;
            long collections = 0;
            long? publishes = null, fast = null;
            foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                if (line.StartsWith("dotnet_gc_pause_time_seconds_total ", StringComparison.Ordinal))
                {
                    paused = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal))
                {
                    collections += long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith(PublishDurationBucket, StringComparison.Ordinal) && line.Contains(PublishRoute, StringComparison.Ordinal))
                {
                    // One series per status code and protocol: add them up.
                    if (line.Contains("le=\"+Inf\"", StringComparison.Ordinal))
                    {
                        publishes = (publishes ?? 0) + long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else if (line.Contains(FormattableString.Invariant($"le=\"{SlowMs / 1000.0}\""), StringComparison.Ordinal))
                    {
                        fast = (fast ?? 0) + long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }

            return paused is { } p ? new ServerCounters(p, collections, publishes, publishes - fast) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private const string PublishDurationBucket = "http_server_request_duration_seconds_bucket{http_request_method=\"POST\"";
    private const string PublishRoute = "http_route=\"/v1/users/{userId}/notifications\"";

    // Room for what the measured part allocates (about 6 MiB a second at 1,000 publishes a second); beyond it the runtime
    // collects as usual, and the pauses show in the result.
    private const long NoCollectionRoom = 3L << 30;

    private static bool TryStartNoCollections()
    {
        try
        {
            return GC.TryStartNoGCRegion(NoCollectionRoom);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // the older, segments-based GC (DOTNET_GCName=libclrgc.so) allows far less room
        }
    }

    private Task PublishAtRateAsync(HttpClient http, List<string> users, int rate, TimeSpan length)
    {
        var devices = _devices.Count / Math.Max(1, users.Count);
        var n = 0;
        return OpenLoopAsync(rate, length, async () =>
        {
            var user = users[UserOrder.Of(Interlocked.Increment(ref n), users.Count)];
            Interlocked.Add(ref _expected, devices);
            var sent = Stopwatch.GetTimestamp();
            await PublishAsync(http, user, "t" + sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (_measuring)
            {
                _acknowledged.RecordElapsed(Stopwatch.GetTimestamp() - sent);
            }
        });
    }

    private static async Task<string?> PublishAsync(HttpClient http, string user, string title)
    {
        using var response = await http.PostAsync($"/v1/users/{user}/notifications",
            new StringContent($$$$"""{"payload":{"visualContent":{"title":"{{{{title}}}}","body":"Your parcel is on its way."}}}""", Encoding.UTF8, "application/json"));
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString() : null;
    }

    /// <summary>
    /// Each user's first device marks the user's latest notification unread (not measured), then read: the time until
    /// another device of the user has the change is the state-sync latency.
    /// </summary>
    private async Task MarkReadAtRateAsync(List<string> users, int rate, TimeSpan length)
    {
        var marker = _devices.GroupBy(d => d.User).ToDictionary(g => g.Key, g => g.First().Connection);
        var n = 0;
        await OpenLoopAsync(rate, length, async () =>
        {
            var user = users[UserOrder.Of(Interlocked.Increment(ref n), users.Count)];
            if (!_latest.TryGetValue(user, out var id))
            {
                return;
            }

            await marker[user].InvokeAsync("MarkUnread", id);
            _syncStarted[id] = Stopwatch.GetTimestamp();
            await marker[user].InvokeAsync("MarkRead", id);
        });
    }

    private async Task<(double Published, double Delivered, string Cpu)> FlatOutAsync(HttpClient http, List<string> users, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        long published = 0;
        async Task Run(TimeSpan length)
        {
            var end = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            var n = 0;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    if (await PublishAsync(http, users[UserOrder.Of(Interlocked.Increment(ref n), users.Count)], "flat") is not null)
                    {
                        Interlocked.Increment(ref published);
                    }
                }
            }));
        }

        _measuring = false;
        await Run(warmup);
        (published, _received) = (0, 0);
        _measuring = true;
        var started = Stopwatch.GetTimestamp();
        var (serverCpu, ownCpu) = (ServerCpu(), Process.GetCurrentProcess().TotalProcessorTime);
        await Run(duration);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var ownCores = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu).TotalSeconds / seconds;
        var serverCores = ServerCpu() - serverCpu is { } used ? used.TotalSeconds / seconds : (double?)null;
        _measuring = false;
        var cpu = (serverCores is { } cores ? $"the server used {cores:F2} cores ({cores * 1e6 * seconds / Math.Max(1, published):F0} µs per publish), " : "")
            + $"the load generator {ownCores:F2}";
        return (published / seconds, Interlocked.Read(ref _received) / seconds, cpu);
    }

    /// <summary>The server's CPU time so far (user and system), when its process id was given.</summary>
    private TimeSpan? ServerCpu()
    {
        if (ServerProcFile("stat") is not { } path)
        {
            return null;
        }

        // Fields 14 and 15 (utime, stime) in clock ticks (USER_HZ: 100 a second on Linux), counted after the command name, which may hold spaces.
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Starts <paramref name="operation"/> on schedule, <paramref name="perSecond"/> times a second, whatever the server does.</summary>
    private static async Task OpenLoopAsync(int perSecond, TimeSpan length, Func<Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        var total = (long)(perSecond * length.TotalSeconds);
        var inFlight = new List<Task>();
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / perSecond);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            inFlight.Add(Task.Run(operation));
        }

        await Task.WhenAll(inFlight);
    }

    private static Task ForEachAsync<T>(IReadOnlyList<T> items, int parallelism, Func<T, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) => await body(item));

    /// <summary>A file of the server's /proc directory, when its process id was given and it is on this machine.</summary>
    private string? ServerProcFile(string name) =>
        serverPid is { } pid && File.Exists($"/proc/{pid}/{name}") ? $"/proc/{pid}/{name}" : null;

    private long? ResidentBytes()
    {
        if (ServerProcFile("status") is not { } path)
        {
            return null;
        }

        // VmRSS leaves out hugetlb pages, where a server started with DOTNET_GCLargePages keeps its managed heap.
        return File.ReadLines(path)
            .Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal) || l.StartsWith("HugetlbPages:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
    }
}
