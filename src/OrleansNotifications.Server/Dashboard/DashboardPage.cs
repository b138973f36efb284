using Microsoft.AspNetCore.Authentication;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Dashboard;

/// <summary>
/// <c>/dashboard</c>: the operators' page, static files beside the binary. The page holds no data: it asks for the admin key,
/// keeps it in the tab's session storage (never in the URL), and reads <c>/v1/admin/cluster</c> and the user lookup with it,
/// so a wrong key sees nothing. The page itself answers as an operator route does (API.md: admin key): <c>200</c> with the
/// key as a bearer token, else <c>401</c> with a <c>Bearer</c> challenge, and either way the page as the body, since a
/// browser that opens it cannot send the key before the page has asked for it. Its scripts and styles are served as they are.
/// </summary>
public static class DashboardPage
{
    public const string Path = "/dashboard";

    public static WebApplication UseDashboardPage(this WebApplication app)
    {
        var page = System.IO.Path.Combine(StaticPage.FolderOf(app, "Dashboard"), "index.html");
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            // Case-insensitive, as the static files under it are matched.
            if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                || !request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase, out var rest)
                || !(rest.Value is null or "" or "/" || string.Equals(rest.Value, "/index.html", StringComparison.OrdinalIgnoreCase)))
            {
                await next(context);
                return;
            }

            var response = context.Response;
            if (!(await context.AuthenticateAsync(AdminKeyAuthenticationHandler.SchemeName)).Succeeded)
            {
                response.StatusCode = StatusCodes.Status401Unauthorized;
                response.Headers.WWWAuthenticate = "Bearer realm=\"admin\"";
            }

            StaticPage.SameOriginOnly(response);
            response.ContentType = "text/html; charset=utf-8";
            if (HttpMethods.IsGet(request.Method))
            {
                await response.SendFileAsync(page);
            }
        });
        return app.UseStaticPage(Path, "Dashboard");
    }
}
