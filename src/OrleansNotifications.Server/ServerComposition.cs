using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Push;
using OrleansNotifications.Push;
using OrleansNotifications.Persistence.PostgreSql;
using OrleansNotifications.Persistence.Sqlite;
using OrleansNotifications.Runtime.Hosting;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Runtime.Transport;
using OrleansNotifications.Server.Api;
using OrleansNotifications.Server.Cluster;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;
using OrleansNotifications.Server.Hubs;
using OrleansNotifications.Server.Inbox;
using OrleansNotifications.Server.Maintenance;
using OrleansNotifications.Server.Metrics;
using OrleansNotifications.Server.Dashboard;

namespace OrleansNotifications.Server;

/// <summary>The composition root: which services make up a node, and the order of its HTTP pipeline.</summary>
public static partial class ServerComposition
{
    public static WebApplicationBuilder AddNotificationsServer(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(NotificationsOptions.Section);
        var settings = section.Get<NotificationsOptions>() ?? new NotificationsOptions();
        var services = builder.Services;

        services.AddOptions<NotificationsOptions>().Bind(section)
            .Validate(o => o.MaxSubscriptionsPerUser > 0, "MaxSubscriptionsPerUser must be positive.")
            .Validate(o => o.ChangeFeedRetention > TimeSpan.Zero, "ChangeFeedRetention must be positive.")
            .Validate(o => o.AppTokenLifetimeSeconds is >= 60 and <= 86400, "AppTokenLifetimeSeconds must be 60–86400.")
            .Validate(o => o.HubKeepAliveInterval >= TimeSpan.FromMilliseconds(100) && o.HubKeepAliveInterval <= TimeSpan.FromHours(1),
                "HubKeepAliveInterval must be 100 ms–1 h.")
            .ValidateOnStart();
        services.AddOptions<GrainRuntimeOptions>().Bind(section.GetSection("Runtime"));
        services.AddOptions<MembershipOptions>().Bind(section.GetSection("Cluster")).PostConfigure(o =>
        {
            // API.md's defaults: other nodes reach this one where it listens (the first of --urls, a wildcard host made
            // loopback), and its name is the machine name plus that port, so two nodes on one machine never share a lease.
            var url = builder.Configuration["urls"]?.Split(';')[0] is { } first ? Loopback(first) : null;
            if (section["Cluster:AdvertisedAddress"] is null && o.InternalUrl is { Length: > 0 } internalUrl)
            {
                o.AdvertisedAddress = NodeRequest.InternalScheme + "://" + new Uri(Loopback(internalUrl)).Authority;
            }
            else if (section["Cluster:AdvertisedAddress"] is null && url is { Length: > 0 })
            {
                o.AdvertisedAddress = url;
            }

            if (section["Cluster:NodeName"] is null && Uri.TryCreate(url, UriKind.Absolute, out var listening))
            {
                o.NodeName = $"{Environment.MachineName}:{listening.Port}";
            }
        });
        services.AddOptions<DeliveryOptions>().Bind(section.GetSection("Push"))
            .Validate(o => o.MaxAttempts >= 1, "Push:MaxAttempts must be at least 1.")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryBaseDelay, "Push retry delays must be positive, the maximum not below the base.")
            .ValidateOnStart();
        services.AddOptions<PushOptions>().Bind(section.GetSection("Push"));

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = JsonBody.TransportLimit);
        if (section["Cluster:InternalUrl"] is { Length: > 0 } internalListen)
        {
            // The internal endpoint joins the public ones, HTTP/2 only: Kestrel speaks h2c (prior knowledge) on nothing else.
            var internalPort = PortOf(internalListen);
            // The public addresses as Kestrel would take them (urls, else http_ports, else its default), plus this one.
            var publicUrls = builder.Configuration["urls"]
                ?? (builder.Configuration["http_ports"] is { Length: > 0 } ports
                    ? string.Join(';', ports.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(port => $"http://*:{port}"))
                    : "http://localhost:5000");
            builder.WebHost.UseUrls($"{publicUrls};{internalListen}");
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint?.Port == internalPort)
                {
                    listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2;
                }
            }));
        }

        AddStorage(services, settings);
        services.AddNotificationGrains();
        services.AddCluster();
        services.AddSingleton<IClusterSecret, ClusterSecret>();
        services.AddPushProviders(settings.Push.WebPush.AllowInsecureEndpoints);
        services.AddSignalR(options =>
        {
            options.AddFilter<HubErrors>();
            options.KeepAliveInterval = TimeSpan.MaxValue; // PacedKeepAlive pings instead
        });
        services.AddSingleton<PacedKeepAlive>();
        services.AddSingleton<HubLifetimeManager<NotificationHub>>(sp => sp.GetRequiredService<PacedKeepAlive>());
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol>(sp =>
            new NotificationHubProtocol(new JsonHubProtocol(sp.GetRequiredService<IOptions<JsonHubProtocolOptions>>())));
        services.AddSingleton<NodeRelay>();
        services.AddSingleton<HubChangeRelay>();
        services.AddSingleton<IChangeRelay>(sp => sp.GetRequiredService<HubChangeRelay>());
        services.AddNotificationsAuth();
        services.AddAppRateLimiting(settings.RateLimit);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                401 => "A valid bearer token is required.",
                403 => "This token may not use this route.",
                404 => "No such resource.",
                405 => "The route does not support this method.",
                _ => context.ProblemDetails.Title,
            });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>(StorageHealthCheck.Name, tags: ["ready"])
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddHostedService<RetentionPruner>();

        // Operators: instruments, their history for the dashboard, and the cluster-wide view.
        services.AddSingleton<MetricsCollector>();
        services.AddSingleton<DeliveryBacklog>();
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<MetricsHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsHistory>());
        services.AddSingleton<NodeActivityClient>();
        return builder;
    }

    /// <summary>The port of <c>Cluster:InternalUrl</c>, if this node has an internal endpoint.</summary>
    private static int? InternalPort(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<MembershipOptions>>().Value.InternalUrl is { Length: > 0 } url ? PortOf(url) : null;

    /// <summary>
    /// A node that advertises an internal endpoint it does not listen on (Kestrel endpoints configured elsewhere override
    /// the URL list) would have every call from the others refused: better not to start.
    /// </summary>
    private static void StopUnlessInternalEndpointListens(WebApplication app)
    {
        if (InternalPort(app) is not { } port)
        {
            return;
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (!addresses.Any(address => Uri.TryCreate(Loopback(address), UriKind.Absolute, out var uri) && uri.Port == port))
            {
                LogInternalEndpointMissing(app.Logger, port, string.Join(", ", addresses));
                app.Lifetime.StopApplication();
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cluster:InternalUrl names port {Port}, but the node listens on {Addresses} only; stopping")]
    private static partial void LogInternalEndpointMissing(ILogger logger, int port, string addresses);

    /// <summary>A listening URL as another node on this machine would call it: wildcard hosts become 127.0.0.1.</summary>
    private static string Loopback(string url) => url.Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
        .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);

    /// <summary>The port of a listening URL, wildcard hosts allowed.</summary>
    private static int PortOf(string url) => new Uri(Loopback(url)).Port;

    private static void AddStorage(IServiceCollection services, NotificationsOptions settings)
    {
        var provider = settings.Storage.Provider;
        if (provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase))
        {
            // No default here: a cluster node silently falling back to a local file would split the cluster's data.
            var postgres = settings.Storage.ConnectionString;
            if (string.IsNullOrWhiteSpace(postgres))
            {
                throw new OptionsValidationException(NotificationsOptions.Section, typeof(NotificationsOptions),
                    ["Storage:Provider 'PostgreSql' needs Storage:ConnectionString (an Npgsql connection string)."]);
            }

            services.AddPostgreSqlStorage(options =>
            {
                options.ConnectionString = postgres;
                options.Writers = settings.Storage.Writers;
            });
            return;
        }

        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(NotificationsOptions.Section, typeof(NotificationsOptions),
                [$"Storage:Provider '{provider}' is unknown; use Sqlite or PostgreSql."]);
        }

        var connectionString = settings.Storage.ConnectionString;
        if (connectionString is null)
        {
            Directory.CreateDirectory(settings.DataDirectory);
            connectionString = $"Data Source={Path.Combine(settings.DataDirectory, "notifications.db")}";
        }

        services.AddSqliteStorage(options =>
        {
            options.ConnectionString = connectionString;
            options.Synchronous = settings.Storage.Synchronous.ToUpperInvariant();
        });
    }

    public static WebApplication MapNotificationsServer(this WebApplication app)
    {
        app.Services.GetRequiredService<AdminKey>(); // generate or load now, so its path is logged at start-up
        app.Services.GetRequiredService<MetricsCollector>(); // listening from the start, so counters count from zero
        app.Services.GetRequiredService<NodeMetrics>();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseInboxPage();
        app.UseDashboardPage();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        // Request metrics count the API's requests: not probes, scrapes, node-to-node calls, or hub connections (a WebSocket
        // would count as one request lasting as long as the connection).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).DisableHttpMetrics();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).DisableHttpMetrics();

        app.MapOAuthToken();
        app.MapPost("/v1/notifications", NotificationsApi.PublishBySubscription).RequireAuthorization(AuthServiceCollectionExtensions.AppPolicy);

        app.MapGroup("/v1/users/{userId}")
            .RequireAuthorization(AuthServiceCollectionExtensions.AppPolicy)
            .AddEndpointFilter(CurrentUser.ValidateRouteUserId)
            .MapNotificationReads()
            .MapNotificationPublishing()
            .MapChanges()
            .MapSubscriptions()
            .MapDeliveries()
            .MapUserTokens();

        app.MapGroup("/v1/me")
            .RequireAuthorization(AuthServiceCollectionExtensions.UserPolicy)
            .MapNotificationReads()
            .MapChanges()
            .MapSubscriptions();

        app.MapHub<NotificationHub>(NotificationHub.Path, options => options.CloseOnAuthenticationExpiration = true)
            .RequireAuthorization(AuthServiceCollectionExtensions.UserPolicy).DisableHttpMetrics();

        app.MapInternalApi(InternalPort(app));
        StopUnlessInternalEndpointListens(app);

        app.MapGroup("/v1/admin")
            .RequireAuthorization(AuthServiceCollectionExtensions.AdminPolicy)
            .MapAdminApps()
            .MapAdminPush()
            .MapAdminCluster()
            .MapAdminUsers();
        app.MapMetrics(AuthServiceCollectionExtensions.AdminPolicy);

        return app;
    }
}
