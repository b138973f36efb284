using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNotifications.Runtime.Activation;
using OrleansNotifications.Runtime.Membership;

namespace OrleansNotifications.Runtime.Transport;

/// <summary>
/// Sends each call to the node that owns the grain: locally without serialising, else over HTTP to the owner's internal
/// endpoint. When the owner cannot be reached (connection refused) or answers that it is not the owner (421), the call was
/// not executed, so it is retried after refreshing the membership view, until the dead owner's lease has run out and
/// placement names a live one. A call that may have run (a timeout, a broken response) is never retried.
/// </summary>
public sealed class RemoteGrainCallInvoker : IGrainCallInvoker
{
    public const string SecretHeader = "X-Cluster-Secret";

    /// <summary>The calling node's name, so the receiver can refresh its view when it does not know the caller yet.</summary>
    public const string NodeHeader = "X-Cluster-Node";
    public const string PathPrefix = "/internal/grains";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly IGrainCallInvoker _local;
    private readonly RendezvousPlacement _placement;
    private readonly ClusterMembership _membership;
    private readonly GrainCallCodec _codec;
    private readonly IClusterSecret _secret;
    private readonly IOptions<MembershipOptions> _options;
    private readonly NodeClient _nodes;

    internal RemoteGrainCallInvoker(
        GrainCatalog catalog, RendezvousPlacement placement, ClusterMembership membership, GrainCallCodec codec, IClusterSecret secret,
        IOptions<MembershipOptions> options, NodeClient nodes)
    {
        _local = new LocalGrainCallInvoker(catalog);
        (_placement, _membership, _codec, _secret, _options, _nodes) = (placement, membership, codec, secret, options, nodes);
    }

    public async Task<T> InvokeAsync<T>(GrainId grain, MethodInfo method, object?[] arguments)
    {
        var giveUpAt = DateTimeOffset.UtcNow + _options.Value.LeaseTimeout + TimeSpan.FromSeconds(2);
        while (true)
        {
            var owner = _placement.OwnerOf(grain);
            if (owner is null || owner.Name == _membership.LocalName)
            {
                return await _local.InvokeAsync<T>(grain, method, arguments);
            }

            var (sent, result) = await TryCallAsync<T>(owner, grain, method, arguments);
            if (sent)
            {
                return result!;
            }

            if (DateTimeOffset.UtcNow > giveUpAt)
            {
                throw new StorageUnavailableException($"No live node answered for {grain} (last tried {owner.Name}).");
            }

            await Task.Delay(RetryDelay);
            await _membership.RefreshAsync();
        }
    }

    /// <summary>(false, default) when the call surely did not run there: the owner is unreachable or disowns the grain.</summary>
    private async Task<(bool Sent, T? Result)> TryCallAsync<T>(ClusterMember owner, GrainId grain, MethodInfo method, object?[] arguments)
    {
        var path = $"{PathPrefix}/{Uri.EscapeDataString(grain.Type)}/{Uri.EscapeDataString(grain.Key)}/{method.Name}";
        using var request = NodeRequest.Create(HttpMethod.Post, owner.Address, path, _secret, _membership.LocalName);
        request.Content = new ByteArrayContent(_codec.WriteArguments(method, arguments));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await _nodes.SendAsync(request, CallTimeout);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return (false, default); // no connection, so no request: the call did not run there
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            switch ((int)response.StatusCode)
            {
                case 200:
                    return (true, _codec.ReadResult<T>(body));
                case 421:
                    return (false, default);
                default:
                    throw ExceptionOf((int)response.StatusCode, body.Length > 0 ? JsonSerializer.Deserialize(body, GrainCallErrorContext.Default.String) : null);
            }
        }
    }

    /// <summary>How the runtime's exceptions cross nodes, both ways.</summary>
    internal static int StatusOf(Exception exception) => exception switch
    {
        InconsistentStateException => 409,
        StorageUnavailableException => 503,
        _ => 500,
    };

    private static Exception ExceptionOf(int status, string? message) => status switch
    {
        409 => new InconsistentStateException(message ?? "Conflict on the owning node."),
        503 => new StorageUnavailableException(message ?? "Storage unavailable on the owning node."),
        _ => new GrainCallException($"The owning node answered {status}: {message}"),
    };
}
