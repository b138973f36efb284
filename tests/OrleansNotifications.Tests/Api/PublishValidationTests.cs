using OrleansNotifications.Tests.Infrastructure;

namespace OrleansNotifications.Tests.Api;

/// <summary>Every publish rule of API.md: a clear 400 naming the field, never a 500, never a stored notification.</summary>
public sealed class PublishValidationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Visual = "\"payload\":{\"visualContent\":{\"title\":\"t\"}}";

    public static TheoryData<string, string> InvalidBodies()
    {
        var now = DateTimeOffset.UtcNow;
        return new TheoryData<string, string>
        {
            { $$"""{"color":"red",{{Visual}}}""", "color" },
            { """{"payload":{"rawContent":"x","format":"text"}}""", "payload.format" },
            { """{"payload":{"visualContent":{"title":"t","icon":"x"}}}""", "payload.visualContent.icon" },
            { $$"""{"targetPolicy":{"platformTypes":["android"],"x":1},{{Visual}}}""", "targetPolicy.x" },
            { $$"""{"priority":5,{{Visual}}}""", "priority" },
            { $$"""{"displayTimeToLive":"60",{{Visual}}}""", "displayTimeToLive" },
            { $$"""{"displayTimeToLive":1.5,{{Visual}}}""", "displayTimeToLive" },
            { """{"payload":"text"}""", "payload" },
            { """{"payload":{"visualContent":{"title":["t"]}}}""", "payload.visualContent.title" },
            { $$"""{"appNotificationId":"",{{Visual}}}""", "appNotificationId" },
            { $$"""{"appNotificationId":"{{new string('a', 129)}}",{{Visual}}}""", "appNotificationId" },
            { $$"""{"targetHostName":"{{new string('h', 257)}}",{{Visual}}}""", "targetHostName" },
            { $$"""{"groupName":"{{new string('g', 65)}}",{{Visual}}}""", "groupName" },
            { $$"""{"groupName":"",{{Visual}}}""", "groupName" },
            { $$"""{"targetPolicy":{"platformTypes":["blackberry"]},{{Visual}}}""", "targetPolicy.platformTypes[0]" },
            { $$"""{"priority":"urgent",{{Visual}}}""", "priority" },
            { $$"""{"displayTimeToLive":-1,{{Visual}}}""", "displayTimeToLive" },
            { $$"""{"displayTimeToLive":2592001,{{Visual}}}""", "displayTimeToLive" },
            { $$"""{"expirationDateTime":"{{now.AddMinutes(-1):O}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"{{now.AddDays(30).AddMinutes(10):O}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"{{now.AddDays(1):yyyy-MM-ddTHH:mm:ss}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"tomorrow",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"{{now.AddDays(1).ToString("MM/dd/yyyy HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"{{now.AddDays(1).ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":"{{now.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ss+1", System.Globalization.CultureInfo.InvariantCulture)}}",{{Visual}}}""", "expirationDateTime" },
            { $$"""{"expirationDateTime":12345,{{Visual}}}""", "expirationDateTime" },
            { $$$"""{"payload":{"rawContent":"{{{new string('é', 2049)}}}"}}""", "payload.rawContent" },
            { """{"payload":{"visualContent":{"body":"no title"}}}""", "payload.visualContent.title" },
            { """{"payload":{"visualContent":{"title":""}}}""", "payload.visualContent.title" },
            { $$$$"""{"payload":{"visualContent":{"title":"{{{{new string('t', 257)}}}}"}}}""", "payload.visualContent.title" },
            { $$$$"""{"payload":{"visualContent":{"title":"t","body":"{{{{new string('b', 4097)}}}}"}}}""", "payload.visualContent.body" },
            { """{"payload":{}}""", "payload" },
            { """{"groupName":"g"}""", "payload" },
            { """{"payload":{"rawContent":"a"},"payload":{"rawContent":"b"}}""", "payload" },
            { """{"payload":{"rawContent":"x"}""", "body" },
            { """not json""", "body" },
            { """[]""", "body" },
            { """null""", "body" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Publish_WithInvalidBody_Returns400NamingTheField_AndStoresNothing(string body, string field)
    {
        var app = await server.CreateAppAsync();
        await app.Client().PostJsonAsync("/v1/users/val/notifications", body).ExpectProblemAsync(400, field);
        var list = await app.Client().GetAsync("/v1/users/val/notifications").ExpectAsync(200);
        Assert.Equal(0, list.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Publish_AtTheLimits_IsAccepted()
    {
        var app = await server.CreateAppAsync();
        var expires = server.Clock.GetUtcNow().AddDays(30).AddMinutes(4);
        var body = $$"""
            { "appNotificationId": "{{new string('a', 128)}}", "groupName": "{{new string('g', 64)}}",
              "targetHostName": "{{new string('h', 256)}}", "displayTimeToLive": 2592000,
              "expirationDateTime": "{{expires:O}}", "targetPolicy": { "platformTypes": [] },
              "payload": { "rawContent": "{{new string('é', 2048)}}",
                           "visualContent": { "title": "{{new string('t', 256)}}", "body": "{{new string('b', 4096)}}" } } }
            """;
        var created = await app.Client().PostJsonAsync("/v1/users/limits/notifications", body).ExpectAsync(201);
        var stored = DateTimeOffset.Parse(created.Str("expirationDateTime"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(stored <= server.Clock.GetUtcNow().AddDays(30), "expiry is capped at 30 days even inside the allowed skew");
    }

    [Theory]
    [InlineData("yyyy-MM-ddTHH:mm:ssZ")]
    [InlineData("yyyy-MM-ddTHH:mm:ss.fffffffZ")]
    [InlineData("yyyy-MM-ddTHH:mmZ")]
    [InlineData("yyyy-MM-dd't'HH:mm:ss'z'")]
    [InlineData("yyyy-MM-ddTHH:mm:sszzz")]
    [InlineData("yyyy-MM-ddTHH:mm:ss+0000")]
    [InlineData("yyyy-MM-ddTHH:mm:ss+00")]
    public async Task Publish_WithAnIsoInstant_InAnyExtendedForm_IsAccepted(string format)
    {
        var app = await server.CreateAppAsync();
        var expires = server.Clock.GetUtcNow().AddDays(1);
        var body = $$"""{"expirationDateTime":"{{expires.ToString(format, System.Globalization.CultureInfo.InvariantCulture)}}",{{Visual}}}""";
        var created = await app.Client().PostJsonAsync("/v1/users/iso/notifications", body).ExpectAsync(201);
        var stored = created.GetProperty("expirationDateTime").GetDateTimeOffset();
        Assert.InRange(expires - stored, TimeSpan.Zero, TimeSpan.FromMinutes(1)); // to the precision the format carries
    }

    [Fact]
    public async Task Publish_InAnotherCharsetThanUtf8_Returns415()
    {
        var app = await server.CreateAppAsync();
        var content = new StringContent("""{"payload":{"rawContent":"x"}}""", System.Text.Encoding.Unicode, "application/json");
        await app.Client().PostAsync("/v1/users/ct/notifications", content).ExpectProblemAsync(415);
        var utf8 = new StringContent("""{"payload":{"rawContent":"x"}}""", System.Text.Encoding.UTF8, "application/json");
        utf8.Headers.ContentType!.CharSet = "\"UTF-8\"";
        await app.Client().PostAsync("/v1/users/ct/notifications", utf8).ExpectAsync(201);
    }

    [Fact]
    public async Task Publish_WithBodyOver64KiB_Returns413()
    {
        var app = await server.CreateAppAsync();
        var body = $$"""{"payload":{"rawContent":"x"},"@odata.pad":"{{new string('p', 70_000)}}"}""";
        await app.Client().PostJsonAsync("/v1/users/big/notifications", body).ExpectProblemAsync(413);
    }

    [Fact]
    public async Task Publish_WithChunkedBodyOver64KiB_Returns413()
    {
        var app = await server.CreateAppAsync();
        var body = $$"""{"payload":{"rawContent":"x"},"@odata.pad":"{{new string('p', 70_000)}}"}""";
        var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users/big/notifications") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await app.Client().SendAsync(request).ExpectProblemAsync(413);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Publish_WithWrongContentType_Returns415(string contentType)
    {
        var app = await server.CreateAppAsync();
        var content = new StringContent("""{"payload":{"rawContent":"x"}}""", System.Text.Encoding.UTF8, contentType);
        await app.Client().PostAsync("/v1/users/ct/notifications", content).ExpectProblemAsync(415);
    }

    [Fact]
    public async Task Publish_WithoutBody_Returns400()
    {
        var app = await server.CreateAppAsync();
        await app.Client().PostAsync("/v1/users/nobody/notifications", null).ExpectProblemAsync(400, "body");
    }
}
