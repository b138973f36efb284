using System.Security.Cryptography;
using System.Text;
using OrleansNotifications.Runtime.Transport;

namespace OrleansNotifications.Server.Cluster;

/// <summary>
/// <c>POST /internal/grains/{type}/{key}/{method}</c>: calls from other nodes to grains this node owns. Only nodes know the
/// cluster secret; anyone else gets 404, as if the route did not exist.
/// </summary>
public static class InternalGrainCallsApi
{
    public static WebApplication MapInternalGrainCalls(this WebApplication app)
    {
        app.MapPost($"{RemoteGrainCallInvoker.PathPrefix}/{{type}}/{{key}}/{{method}}", CallAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task CallAsync(HttpContext context, string type, string key, string method, IClusterSecret secret, GrainCallDispatcher dispatcher)
    {
        var presented = Encoding.UTF8.GetBytes(context.Request.Headers[RemoteGrainCallInvoker.SecretHeader].ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(secret.Value)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
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
