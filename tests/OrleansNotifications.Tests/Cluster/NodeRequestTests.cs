using System.Net;
using OrleansNotifications.Runtime.Transport;

namespace OrleansNotifications.Tests.Cluster;

public sealed class NodeRequestTests
{
    private sealed class Secret : IClusterSecret
    {
        public string Value => "s3cret";
    }

    [Theory]
    [InlineData("h2c://10.0.0.5:6101", "http://10.0.0.5:6101/internal/relay", "2.0", HttpVersionPolicy.RequestVersionExact)]
    [InlineData("h2c://10.0.0.5:6101/", "http://10.0.0.5:6101/internal/relay", "2.0", HttpVersionPolicy.RequestVersionExact)]
    [InlineData("http://10.0.0.5:5000", "http://10.0.0.5:5000/internal/relay", "1.1", HttpVersionPolicy.RequestVersionExact)]
    [InlineData("https://node-1.example:443", "https://node-1.example/internal/relay", "2.0", HttpVersionPolicy.RequestVersionOrLower)]
    public void TheAdvertisedAddress_SaysWhereAndHow(string advertised, string url, string version, HttpVersionPolicy policy)
    {
        using var request = NodeRequest.Create(HttpMethod.Post, advertised, "/internal/relay", new Secret(), "node-7");
        Assert.Equal(new Uri(url), request.RequestUri);
        Assert.Equal(Version.Parse(version), request.Version);
        Assert.Equal(policy, request.VersionPolicy);
        Assert.Equal(["s3cret"], request.Headers.GetValues(RemoteGrainCallInvoker.SecretHeader));
        Assert.Equal(["node-7"], request.Headers.GetValues(RemoteGrainCallInvoker.NodeHeader));
    }
}
