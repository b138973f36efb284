namespace OrleansNotifications.Server;

/// <summary>Configuration section <c>Notifications</c> (see API.md, "Running").</summary>
public sealed class NotificationsOptions
{
    public const string Section = "Notifications";

    /// <summary>Bearer key for admin routes. Default: generated on first start into <c>&lt;DataDirectory&gt;/admin-key</c>.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Where embedded data lives. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    public StorageSettings Storage { get; set; } = new();

    public RateLimitSettings RateLimit { get; set; } = new();

    public PushSettings Push { get; set; } = new();

    /// <summary>How long change-feed entries are kept; older cursors get 410. Default 30 days, the longest a notification lives.</summary>
    public TimeSpan ChangeFeedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Most unexpired push subscriptions one user may hold. Default 50.</summary>
    public int MaxSubscriptionsPerUser { get; set; } = 50;

    /// <summary>Lifetime of app tokens from <c>/v1/oauth2/token</c>. Default 1 hour.</summary>
    public int AppTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>
    /// How often each hub connection is checked for a keep-alive ping; it gets one if it was sent nothing for half of this,
    /// so no client hears nothing for 1.5 intervals. Default 15 s, SignalR's (the official clients give up on a server they
    /// have not heard from in 30 s); 100 ms–1 h.
    /// </summary>
    public TimeSpan HubKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    public sealed class StorageSettings
    {
        /// <summary><c>Sqlite</c> (default) or <c>PostgreSql</c>.</summary>
        public string Provider { get; set; } = "Sqlite";

        /// <summary>Provider connection string. SQLite default: <c>notifications.db</c> in the data directory; PostgreSql: required.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>SQLite <c>synchronous</c> for the writer: FULL (default, fsync per group commit) or NORMAL.</summary>
        public string Synchronous { get; set; } = "FULL";

        /// <summary>PostgreSql: group-commit loops, each with its own connection. Default 2.</summary>
        public int Writers { get; set; } = 2;
    }

    public sealed class RateLimitSettings
    {
        /// <summary>Requests per second each app may make (token bucket). Default 20000; 0 disables the limit.</summary>
        public int PermitsPerSecond { get; set; } = 20000;

        /// <summary>Bucket size: how many requests may arrive at once. Default: one second's worth.</summary>
        public int? Burst { get; set; }
    }

    public sealed class PushSettings
    {
        public WebPushSettings WebPush { get; set; } = new();
    }

    public sealed class WebPushSettings
    {
        /// <summary>Accept http:// and loopback/private Web Push endpoints. Tests only. Default false.</summary>
        public bool AllowInsecureEndpoints { get; set; }
    }
}
