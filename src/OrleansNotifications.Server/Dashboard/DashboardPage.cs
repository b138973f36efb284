using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Dashboard;

/// <summary>
/// <c>/dashboard</c>: the operators' page, static files beside the binary. The page itself holds no data: it asks for the
/// admin key, keeps it in the tab's session storage (never in the URL), and reads <c>/v1/admin/cluster</c> and the user
/// lookup with it, so a wrong key sees nothing.
/// </summary>
public static class DashboardPage
{
    public const string Path = "/dashboard";

    public static WebApplication UseDashboardPage(this WebApplication app) => app.UseStaticPage(Path, "Dashboard");
}
