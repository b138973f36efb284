using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Transport;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Hubs;
using OrleansNotifications.Server.Metrics;

namespace OrleansNotifications.Server.Cluster;

/// <summary>
/// <c>POST /internal/grains/{type}/{key}/{method}</c>: calls from other nodes to grains this node owns; and
/// <c>POST /internal/relay</c>: live changes for hub connections held here; <c>GET /internal/activity</c>: this node's figures. Only nodes know the cluster secret; anyone else
/// gets 404, as if the routes did not exist.
/// </summary>
public static class InternalApi
{
    /// <param name="internalPort">The node's HTTP/2-only endpoint for other nodes, if it has one: the routes answer there only.</param>
    public static WebApplication MapInternalApi(this WebApplication app, int? internalPort)
    {
        var routes = app.MapGroup("").ExcludeFromDescription().DisableHttpMetrics();
        if (internalPort is { } port)
        {
            routes.RequireHost($"*:{port}");
        }

        // Calls from nodes have no 64 KiB body limit (lifted in FromANode): a relay batch carries every change of one commit.
        routes.MapPost($"{RemoteGrainCallInvoker.PathPrefix}/{{type}}/{{key}}/{{method}}", CallAsync);
        routes.MapPost(NodeRelay.Path, RelayAsync);
        routes.MapGet(NodeActivityClient.Path, (HttpContext context, IClusterSecret secret, MetricsHistory history) => FromANode(context, secret)
            ? Results.Json(history.Report(), ServerJsonContext.Default.NodeActivity)
            : Results.NotFound());
        return app;
    }

    private static bool FromANode(HttpContext context, IClusterSecret secret)
    {
        if (!CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(context.Request.Headers[RemoteGrainCallInvoker.SecretHeader].ToString()), Encoding.UTF8.GetBytes(secret.Value)))
        {
            return false;
        }

        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        return true;
    }

    private static async Task<IResult> RelayAsync(HttpContext context, IClusterSecret secret, HubChangeRelay relay)
    {
        if (!FromANode(context, secret))
        {
            return TypedResults.NotFound();
        }

        var batch = await context.Request.ReadFromJsonAsync(RelayJsonContext.Default.RelayBatch);
        return batch is null ? TypedResults.BadRequest() : TypedResults.Json(relay.Receive(batch), RelayJsonContext.Default.RelayAnswer);
    }

    private static async Task CallAsync(
        HttpContext context, string type, string key, string method, IClusterSecret secret, GrainCallDispatcher dispatcher, ClusterMembership membership)
    {
        if (!FromANode(context, secret))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // A caller this node does not see as a member (it just joined, or its lease ran out here) would have its hub
        // connections registered and then dropped unheard: refresh, and if it is still unknown, refuse as "not the owner";
        // the caller refreshes too and retries until both views agree.
        if (context.Request.Headers[RemoteGrainCallInvoker.NodeHeader].ToString() is { Length: > 0 } caller && !await membership.KnowsAsync(caller))
        {
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        // Route values keep an escaped '/' (%2F) as it is; grain keys contain slashes, so undo the caller's escaping here.
        var (status, result) = await dispatcher.DispatchAsync(Uri.UnescapeDataString(type), Uri.UnescapeDataString(key), method, body.ToArray());
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(result);
    }
}
