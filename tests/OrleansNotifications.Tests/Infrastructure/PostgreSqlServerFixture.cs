namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>The in-memory server of <see cref="ServerFixture"/>, storing everything in PostgreSQL instead of SQLite.</summary>
public sealed class PostgreSqlServerFixture(string? connectionString) : ServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        connectionString is null
            ? [new("Notifications:Storage:Provider", "PostgreSql")]
            : [new("Notifications:Storage:Provider", "PostgreSql"), new("Notifications:Storage:ConnectionString", connectionString)];
}
