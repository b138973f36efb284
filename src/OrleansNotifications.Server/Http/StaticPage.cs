using Microsoft.Extensions.FileProviders;

namespace OrleansNotifications.Server.Http;

/// <summary>The web pages (inbox, dashboard): static files copied beside the binary, allowed to talk to this origin only.</summary>
public static class StaticPage
{
    /// <summary>Serves the folder <paramref name="folder"/> beside the binary at <paramref name="path"/>, same-origin only.</summary>
    public static WebApplication UseStaticPage(this WebApplication app, string path, string folder)
    {
        app.UseFileServer(new FileServerOptions
        {
            RequestPath = path,
            FileProvider = new PhysicalFileProvider(System.IO.Path.Combine(app.Environment.ContentRootPath, folder)),
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
