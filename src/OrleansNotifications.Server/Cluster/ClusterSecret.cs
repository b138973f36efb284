using System.Buffers.Text;
using System.Security.Cryptography;
using OrleansNotifications.Grains.Apps;
using OrleansNotifications.Runtime.Transport;

namespace OrleansNotifications.Server.Cluster;

/// <summary>The nodes' shared secret for grain calls: made once and kept in the shared database, like the token signing key.</summary>
internal sealed class ClusterSecret(IAppStore store) : IClusterSecret
{
    public string Value { get; } = store.GetOrAddServerSecretAsync("cluster-call-secret", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)))
        .GetAwaiter().GetResult();
}
