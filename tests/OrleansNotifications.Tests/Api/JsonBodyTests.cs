using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Tests.Api;

public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("Application/JSON;charset=utf-8", true)]
    [InlineData("application/json; foo=bar; charset=\"UTF8\"", true)]
    [InlineData("application/merge-patch+json", true)]
    [InlineData("application/json; charset=utf-16", false)]
    [InlineData("application/json; charset=iso-8859-1", false)]
    [InlineData("application/jsonx", false)]
    [InlineData("text/json", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsJson_AcceptsJsonMediaTypesInUtf8Only(string? contentType, bool expected) =>
        Assert.Equal(expected, JsonBody.IsJson(contentType));
}
