using Microsoft.Extensions.FileProviders;

namespace OrleansNotifications.Server.Inbox;

/// <summary>
/// <c>/inbox</c>: the web inbox, static files copied beside the binary at build time (see the project file), with the
/// SignalR browser client bundled from npm. It talks only to this origin, and the policy says so.
/// </summary>
public static class InboxPage
{
    public const string Path = "/inbox";

    public static WebApplication UseInboxPage(this WebApplication app)
    {
        app.UseFileServer(new FileServerOptions
        {
            RequestPath = Path,
            FileProvider = new PhysicalFileProvider(System.IO.Path.Combine(app.Environment.ContentRootPath, "Inbox")),
            StaticFileOptions =
            {
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";
                    headers.XContentTypeOptions = "nosniff";
                    headers.CacheControl = "no-cache";
                },
            },
        });
        return app;
    }
}
