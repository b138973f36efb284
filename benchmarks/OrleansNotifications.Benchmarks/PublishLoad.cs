using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansNotifications.Benchmarks;

/// <summary>
/// Publishes over HTTP to many users. Flat out: <c>concurrency</c> requests always in flight (closed loop). At a fixed rate:
/// requests start on schedule whatever the server does (open loop), so a slow server cannot hold the next request back (no
/// coordinated omission). Latency counts from the moment the request is handed to the HTTP client (waiting for a pooled
/// connection included); how late the generator's own timer started it is recorded apart, as schedule lag.
/// </summary>
public sealed class PublishLoad(HttpClient[] nodes, int users)
{
    private long _sent;
    private long _failed;

    public long Failed => Interlocked.Read(ref _failed);

    private (HttpClient, HttpRequestMessage) NextRequest()
    {
        var n = Interlocked.Increment(ref _sent);
        var body = $$$"""{"appNotificationId":"bench-{{{n}}}","groupName":"bench","payload":{"visualContent":{"title":"Order {{{n}}} shipped","body":"Your parcel is on its way and arrives tomorrow."},"rawContent":"{\"order\":{{{n}}}}"}}""";
        return (nodes[n % nodes.Length], new HttpRequestMessage(HttpMethod.Post, $"/v1/users/user-{UserOrder.Of(n, users)}/notifications")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });
    }

    /// <summary>How late requests started against their schedule (open loop only): the generator's timer, not the server.</summary>
    public LatencyRecorder ScheduleLag { get; } = new();

    private async Task SendAsync(LatencyRecorder? recorder, long startTimestamp)
    {
        try
        {
            var (http, request) = NextRequest();
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode != 201)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        recorder?.Record(startTimestamp);
    }

    public Task<(double PerSecond, LatencyRecorder Latency)> FlatOutAsync(int concurrency, TimeSpan warmup, TimeSpan duration) =>
        WarmUpThenMeasureAsync((length, recorder) => RunClosedLoopAsync(concurrency, length, recorder), warmup, duration);

    public Task<(double PerSecond, LatencyRecorder Latency)> FixedRateAsync(int perSecond, TimeSpan warmup, TimeSpan duration) =>
        WarmUpThenMeasureAsync((length, recorder) => RunOpenLoopAsync(perSecond, length, recorder), warmup, duration);

    /// <summary>Runs the load unmeasured for <paramref name="warmup"/> (JIT tiering settles), then measured for <paramref name="duration"/>.</summary>
    private static async Task<(double PerSecond, LatencyRecorder Latency)> WarmUpThenMeasureAsync(
        Func<TimeSpan, LatencyRecorder?, Task> run, TimeSpan warmup, TimeSpan duration)
    {
        await run(warmup, null);
        var recorder = new LatencyRecorder();
        var started = Stopwatch.GetTimestamp();
        await run(duration, recorder);
        return (recorder.Count / Stopwatch.GetElapsedTime(started).TotalSeconds, recorder);
    }

    private async Task RunClosedLoopAsync(int concurrency, TimeSpan duration, LatencyRecorder? recorder)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                await SendAsync(recorder, Stopwatch.GetTimestamp());
            }
        }));
    }

    private async Task RunOpenLoopAsync(int perSecond, TimeSpan duration, LatencyRecorder? recorder)
    {
        var start = Stopwatch.GetTimestamp();
        var total = (long)(perSecond * duration.TotalSeconds);
        var inFlight = new List<Task>(capacity: (int)Math.Min(total, 1 << 20));
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / perSecond);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            if (recorder is not null)
            {
                ScheduleLag.Record(due);
            }

            inFlight.Add(SendAsync(recorder, Stopwatch.GetTimestamp()));
        }

        await Task.WhenAll(inFlight);
    }

    public static HttpClient CreateClient(string baseUrl, string token, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
}
