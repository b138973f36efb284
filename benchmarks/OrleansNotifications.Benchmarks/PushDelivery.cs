using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansNotifications.Benchmarks;

/// <summary>
/// Push delivery through the real server to <see cref="FakeProviders"/>: for each provider, deliveries per second with
/// publishes flat out, and the time from sending a publish to the provider receiving its request at a fixed rate.
/// Each user has one subscription of the provider's platform, so a user's k-th request is its k-th publish.
/// </summary>
public sealed class PushDelivery(string baseUrl, string adminKey, FakeProviders fakes, int fakeHttp1Port, int users)
{
    public async Task RunAsync(string platform, int rate, TimeSpan warmup, TimeSpan duration)
    {
        var (client, devices) = await SetUpAsync(platform);
        var flatOut = await PublishAsync(client, devices, rate: 0, warmup, duration);
        var fixedRate = await PublishAsync(client, devices, rate, warmup, duration);
        Console.WriteLine($"push {platform}: flat out (64 publishes in flight): {flatOut.Publishes:F0} publishes/s, {flatOut.Deliveries:F0} deliveries/s; " +
            $"at {rate}/s: publish → provider request {fixedRate.Latency.Summary()}; not delivered {fixedRate.Missing}");
    }

    private async Task<(HttpClient Client, string[] Devices)> SetUpAsync(string platform)
    {
        var app = await BenchmarkApp.CreateAsync(baseUrl, adminKey);
        var appId = app.AppId;
        using var admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        if (platform == "android")
        {
            using var rsa = RSA.Create(2048);
            var account = new Dictionary<string, string>
            {
                ["type"] = "service_account", ["project_id"] = "bench-project", ["private_key_id"] = "k1",
                ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(), ["client_email"] = "bench@bench-project.iam.gserviceaccount.com",
                ["token_uri"] = $"http://127.0.0.1:{fakeHttp1Port}/token",
            };
            (await admin.PutAsJsonAsync($"/v1/admin/apps/{appId}/push/fcm", account)).EnsureSuccessStatusCode();
        }
        else if (platform == "ios")
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            (await admin.PutAsJsonAsync($"/v1/admin/apps/{appId}/push/apns", new
            {
                teamId = "TEAM123456", keyId = "KEY1234567", privateKey = key.ExportPkcs8PrivateKeyPem(), bundleId = "com.example.bench",
            })).EnsureSuccessStatusCode();
        }

        var client = PublishLoad.CreateClient(baseUrl, app.Token, 64);
        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = browser.ExportParameters(false).Q;
        var p256dh = Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]);
        var auth = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var devices = new string[users];
        for (var u = 0; u < users; u++)
        {
            devices[u] = platform == "ios" ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : $"dev{u}x{Guid.NewGuid():N}";
            var body = platform switch
            {
                "android" => $$"""{"platform":"android","pushToken":"{{devices[u]}}"}""",
                "ios" => $$"""{"platform":"ios","pushToken":"{{devices[u]}}"}""",
                _ => $$"""{"platform":"webpush","webPush":{"endpoint":"http://127.0.0.1:{{fakeHttp1Port}}/push/{{devices[u]}}","keys":{"p256dh":"{{p256dh}}","auth":"{{auth}}"}""" + "}}",
            };
            (await client.PostAsync($"/v1/users/u{u}/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        return (client, devices);
    }

    /// <summary>Warm-up, then a measured window; rate 0 = flat out with 64 in flight.</summary>
    private async Task<(double Publishes, double Deliveries, LatencyRecorder Latency, long Missing)> PublishAsync(
        HttpClient client, string[] devices, int rate, TimeSpan warmup, TimeSpan duration)
    {
        await LoadAsync(client, devices, rate == 0 ? 0 : rate, warmup, sent: null);
        await DrainAsync(TimeSpan.FromSeconds(10), () => true);
        var sent = devices.ToDictionary(d => d, _ => new ConcurrentQueue<long>());
        foreach (var device in devices)
        {
            fakes.Arrivals.GetOrAdd(device, _ => new ConcurrentQueue<long>()).Clear();
        }

        var deliveredBefore = fakes.Total;
        var started = Stopwatch.GetTimestamp();
        var publishes = await LoadAsync(client, devices, rate, duration, sent);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var deliveredInWindow = fakes.Total - deliveredBefore;
        var expected = sent.Values.Sum(q => q.Count);
        await DrainAsync(TimeSpan.FromSeconds(30), () => devices.Sum(d => fakes.Arrivals[d].Count) >= expected);

        var latency = new LatencyRecorder();
        long missing = 0;
        foreach (var device in devices)
        {
            var arrivals = fakes.Arrivals[device].ToArray();
            var sends = sent[device].ToArray();
            for (var k = 0; k < sends.Length; k++)
            {
                if (k < arrivals.Length)
                {
                    latency.RecordElapsed(arrivals[k] - sends[k]);
                }
                else
                {
                    missing++;
                }
            }
        }

        return (publishes / seconds, deliveredInWindow / seconds, latency, missing);
    }

    private static async Task DrainAsync(TimeSpan limit, Func<bool> done)
    {
        for (var deadline = DateTime.UtcNow + limit; !done() && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        await Task.Delay(200);
    }

    /// <summary>Publishes round-robin over the users for <paramref name="length"/>; records each send's start per device.</summary>
    private static async Task<long> LoadAsync(HttpClient client, string[] devices, int rate, TimeSpan length, Dictionary<string, ConcurrentQueue<long>>? sent)
    {
        long count = 0;
        var next = -1;
        var end = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var locks = devices.Select(_ => new SemaphoreSlim(1)).ToArray();

        async Task SendAsync()
        {
            // One publish per user at a time, so sends and arrivals of a device pair up in order.
            var u = (int)((uint)Interlocked.Increment(ref next) % devices.Length);
            await locks[u].WaitAsync();
            try
            {
                sent?[devices[u]].Enqueue(Stopwatch.GetTimestamp());
                using var response = await client.PostAsync($"/v1/users/u{u}/notifications", new StringContent(
                    """{"payload":{"visualContent":{"title":"Build finished","body":"main is green"}}}""", Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref count);
            }
            finally
            {
                locks[u].Release();
            }
        }

        if (rate == 0)
        {
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    await SendAsync();
                }
            }));
            return count;
        }

        var inFlight = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; Stopwatch.GetTimestamp() < end; i++)
        {
            var wait = start + (long)(i * (double)Stopwatch.Frequency / rate) - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            inFlight.Add(SendAsync());
        }

        await Task.WhenAll(inFlight);
        return count;
    }
}
