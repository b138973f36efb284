using System.Collections.Concurrent;
using System.Text.Json;
using OrleansNotifications.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansNotifications.Tests.Durability;

/// <summary>
/// Publish concurrently, SIGKILL the server mid-load, restart it on the same data directory: every publish that was
/// acknowledged (201) is there with the id and sequence it was acknowledged with; each user's feed is gap-free; and nothing
/// is stored that was never sent. (A publish in flight at the kill may or may not be stored: it was never acknowledged.)
/// </summary>
public sealed class SigkillDurabilityTests(ITestOutputHelper output)
{
    private const string AdminKey = "durability-admin-key-0123456789";
    private const int Users = 20;
    private const int Workers = 16;

    private sealed record Ack(string User, string AppNotificationId, string Id, long Sequence);

    [Fact]
    public async Task AcknowledgedPublishes_SurviveSigkill_WithTheirSequences()
    {
        using var data = new TempDirectory();
        var port = ServerProcess.FreePort();
        string appToken;
        var acked = new ConcurrentBag<Ack>();
        var sent = new ConcurrentDictionary<string, string>();

        using (var server = ServerProcess.Start(data.Path, port, $"--Notifications:AdminKey={AdminKey}"))
        {
            await server.WaitReadyAsync();
            appToken = await CreateAppAsync(server.BaseUrl);
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
            http.WithBearer(appToken);

            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var user = $"user-{(w + i) % Users}";
                    var anid = $"w{w}-{i}";
                    sent[anid] = user;
                    try
                    {
                        var response = await http.PostJsonAsync($"/v1/users/{user}/notifications",
                            $$$"""{"appNotificationId":"{{{anid}}}","payload":{"rawContent":"{{{anid}}}"}}""");
                        if ((int)response.StatusCode == 201)
                        {
                            var body = await response.BodyAsync();
                            acked.Add(new Ack(user, anid, body.Str("id"), body.Seq()));
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();

            await Eventually.HoldsAsync(() => acked.Count >= 400, "Timed out waiting for acknowledged publishes.", TimeSpan.FromSeconds(60));
            server.KillHard();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        output.WriteLine($"sent {sent.Count}, acknowledged {acked.Count} before SIGKILL");

        using var restarted = ServerProcess.Start(data.Path, port, $"--Notifications:AdminKey={AdminKey}");
        await restarted.WaitReadyAsync();
        using var client = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };
        client.WithBearer(appToken); // the signing key is stored, so tokens outlive restarts

        var stored = new Dictionary<string, (string User, string Id, long Sequence)>();
        for (var u = 0; u < Users; u++)
        {
            var user = $"user-{u}";
            long since = 0, expected = 1;
            while (true)
            {
                var page = await client.GetAsync($"/v1/users/{user}/changes?since={since}&top=1000").ExpectAsync(200);
                foreach (var change in page.GetProperty("value").EnumerateArray())
                {
                    Assert.Equal(expected++, change.Seq());
                    Assert.Equal("created", change.Str("kind"));
                    var notification = change.GetProperty("notification");
                    stored[notification.Str("appNotificationId")] = (user, notification.Str("id"), change.Seq());
                }

                since = page.GetProperty("nextSince").GetInt64();
                if (!page.GetProperty("hasMore").GetBoolean())
                {
                    break;
                }
            }
        }

        output.WriteLine($"stored after restart: {stored.Count}");
        foreach (var ack in acked)
        {
            Assert.True(stored.TryGetValue(ack.AppNotificationId, out var found), $"acknowledged {ack.AppNotificationId} was lost");
            Assert.Equal((ack.User, ack.Id, ack.Sequence), found);
        }

        foreach (var (anid, where) in stored)
        {
            Assert.True(sent.TryGetValue(anid, out var user) && user == where.User, $"{anid} was stored but never sent to {where.User}");
        }

        var sample = acked.First();
        var fetched = await client.GetAsync($"/v1/users/{sample.User}/notifications/{sample.Id}").ExpectAsync(200);
        Assert.Equal(sample.Sequence, fetched.Seq());

        // The new process learns the user's appNotificationIds from storage: publishing one again replaces it, never duplicates it.
        var replaced = await client.PostJsonAsync($"/v1/users/{sample.User}/notifications",
            $$$"""{"appNotificationId":"{{{sample.AppNotificationId}}}","payload":{"rawContent":"replaced"}}""").ExpectAsync(200);
        Assert.Equal(sample.Id, replaced.Str("id"));
    }

    private static async Task<string> CreateAppAsync(string baseUrl)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
        admin.WithBearer(AdminKey);
        var app = await admin.PostJsonAsync("/v1/admin/apps", """{"appId":"durable"}""").ExpectAsync(201);
        var token = await admin.PostAsync("/v1/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = app.Str("clientId"),
            ["client_secret"] = app.Str("clientSecret"),
        })).ExpectAsync(200);
        return token.Str("access_token");
    }
}
