using System.Text.Json;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

public sealed class HostTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Health_LiveAndReady_Answer200()
    {
        Assert.Equal("Healthy", await (await server.Anonymous().GetAsync("/health/live")).EnsureSuccessStatusCode().Content.ReadAsStringAsync());

        // Ready once the node has joined its cluster, which a freshly started server does moments after it answers.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            var ready = await server.Anonymous().GetAsync("/health/ready");
            if (ready.IsSuccessStatusCode || DateTime.UtcNow > deadline)
            {
                Assert.Equal("Healthy", await ready.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
                break;
            }
        }
    }

    [Fact]
    public async Task UnknownRouteAndWrongMethod_AnswerProblemDetails()
    {
        var app = await server.CreateAppAsync();
        await app.Client().GetAsync("/v1/nothing-here").ExpectProblemAsync(404);
        await app.Client().PutAsync("/v1/users/alice/notifications", Http.Json("{}")).ExpectProblemAsync(405);
    }

    [Fact]
    public void DefaultAdminKey_IsNotConfiguredHere_SoNoKeyFileIsWritten() =>
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "admin-key")));

    [Fact]
    public void ShippedRuntimeConfig_CapsTheYoungestGeneration()
    {
        // The server's own runtimeconfig.json (copied beside the tests), the file `dotnet run`, the deploy files and the
        // benchmarks start it with. Why the cap: the server's csproj.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "OrleansNotifications.Server.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(32 * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
    }
}

/// <summary>A server started without an admin key writes one into its data directory, as the contract says.</summary>
public sealed class GeneratedAdminKeyTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public async Task FirstStart_WritesAdminKeyFile_ThatAuthorisesAdminRoutes()
    {
        using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            b.UseSetting("Notifications:DataDirectory", _data.Path));
        using var client = factory.CreateClient();
        var key = (await File.ReadAllTextAsync(Path.Combine(_data.Path, "admin-key"))).Trim();
        Assert.True(key.Length >= 32);
        await client.WithBearer(key).PostJsonAsync("/v1/admin/apps", "{}").ExpectAsync(201);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void GeneratedAdminKeyFile_IsReadableByItsOwnerOnly()
    {
        using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            b.UseSetting("Notifications:DataDirectory", _data.Path));
        using var client = factory.CreateClient();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data.Path, "admin-key")));
    }

    [Fact]
    public void AnEmptyAdminKeyFile_StopsTheServerFromStarting()
    {
        File.WriteAllText(Path.Combine(_data.Path, "admin-key"), "  \n");
        using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            b.UseSetting("Notifications:DataDirectory", _data.Path));
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("admin key file", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();
}
