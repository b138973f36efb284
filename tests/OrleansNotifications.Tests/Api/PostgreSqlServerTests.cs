using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Storage;
using OrleansNotifications.Persistence.PostgreSql;
using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

/// <summary>The whole server with <c>Storage:Provider=PostgreSql</c>.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlServerTests(PostgresServer postgres)
{
    [Fact]
    public async Task PublishListAndChangeFeed_RunOnPostgreSql()
    {
        await using var server = new PostgreSqlServerFixture(await postgres.CreateDatabaseAsync("server"));
        var app = await server.CreateAppAsync();
        var user = TestApp.NewUserId();
        var first = await app.PublishAsync(user, "a");
        await app.PublishAsync(user);
        await app.PublishAsync(user, "a", title: "replaced");

        Assert.IsType<PostgreSqlNotificationStore>(server.Services.GetRequiredService<INotificationStore>());
        var list = await app.Client().GetAsync($"/v1/users/{user}/notifications").ExpectAsync(200);
        var items = list.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal((first.Str("id"), "replaced"), (items[0].Str("id"), items[0].GetProperty("payload").GetProperty("visualContent").Str("title")));

        var feed = await app.Client().GetAsync($"/v1/users/{user}/changes?since=0").ExpectAsync(200);
        Assert.Equal([1L, 2, 3], feed.GetProperty("value").EnumerateArray().Select(e => e.Seq()));
        Assert.Equal(["created", "created", "updated"], feed.GetProperty("value").EnumerateArray().Select(e => e.Str("kind")));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await server.Anonymous().GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public void PostgreSql_WithoutAConnectionString_FailsAtStartUp()
    {
        using var server = new PostgreSqlServerFixture(null);
        var error = Assert.Throws<OptionsValidationException>(() => server.CreateClient());
        Assert.Contains("Storage:ConnectionString", error.Message, StringComparison.Ordinal);
    }
}
