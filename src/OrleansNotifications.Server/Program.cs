using OrleansNotifications.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddNotificationsServer();

var app = builder.Build();
app.MapNotificationsServer();
app.Run();

/// <summary>Entry point; public so <c>WebApplicationFactory&lt;Program&gt;</c> can host it in tests.</summary>
public partial class Program;
