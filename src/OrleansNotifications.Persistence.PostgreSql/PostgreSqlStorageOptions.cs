namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>Cluster storage settings.</summary>
public sealed class PostgreSqlStorageOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>). Required.</summary>
    public required string ConnectionString { get; set; }

    /// <summary>Most writes grouped into one transaction.</summary>
    public int MaxBatchSize { get; set; } = 512;
}
