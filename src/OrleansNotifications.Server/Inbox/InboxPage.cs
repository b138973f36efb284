using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Inbox;

/// <summary>
/// <c>/inbox</c>: the web inbox, static files copied beside the binary at build time (see the project file), with the
/// SignalR browser client bundled from npm. It talks only to this origin, and the policy says so.
/// </summary>
public static class InboxPage
{
    public const string Path = "/inbox";

    public static WebApplication UseInboxPage(this WebApplication app) => app.UseStaticPage(Path, "Inbox");
}
