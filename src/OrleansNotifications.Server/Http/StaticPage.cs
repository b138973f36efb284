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
            FileProvider = new PhysicalFileProvider(FolderOf(app, folder)),
            StaticFileOptions = { OnPrepareResponse = context => SameOriginOnly(context.Context.Response) },
        });
        return app;
    }

    public static string FolderOf(WebApplication app, string folder) => System.IO.Path.Combine(app.Environment.ContentRootPath, folder);

    public static void SameOriginOnly(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
    }
}
