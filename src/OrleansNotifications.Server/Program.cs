using OrleansNotifications.Server;

// appsettings.json ships beside the binary; the working directory stays the caller's (it holds the default ./data).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddNotificationsServer();

var app = builder.Build();
app.MapNotificationsServer();
app.Run();

/// <summary>Entry point; public so <c>WebApplicationFactory&lt;Program&gt;</c> can host it in tests.</summary>
public partial class Program;
