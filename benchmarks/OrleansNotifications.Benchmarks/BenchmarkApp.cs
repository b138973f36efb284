using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansNotifications.Benchmarks;

/// <summary>A fresh app for a benchmark run, created through the admin API, with an app token.</summary>
public sealed record BenchmarkApp(string AppId, string Token)
{
    public static async Task<BenchmarkApp> CreateAsync(string baseUrl, string adminKey)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        var created = await (await admin.PostAsJsonAsync("/v1/admin/apps", new { displayName = "benchmark" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>();
        var token = await (await admin.PostAsync("/v1/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = created.GetProperty("clientId").GetString()!,
            ["client_secret"] = created.GetProperty("clientSecret").GetString()!,
        }))).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return new BenchmarkApp(created.GetProperty("appId").GetString()!, token.GetProperty("access_token").GetString()!);
    }
}
