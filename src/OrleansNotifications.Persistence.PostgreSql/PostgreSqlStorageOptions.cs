namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>Cluster storage settings.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>). Required.</summary>
    public required string ConnectionString { get; set; }

    /// <summary>
    /// Group-commit loops, each with its own connection, taking from one queue. While one waits for its round trips and its
    /// commit, another runs the next group: one loop alone leaves the database's CPU idle between its round trips.
    /// </summary>
    public int Writers { get; set; } = 2;

    /// <summary>Most writes grouped into one transaction.</summary>
    public int MaxBatchSize { get; set; } = 512;
}
