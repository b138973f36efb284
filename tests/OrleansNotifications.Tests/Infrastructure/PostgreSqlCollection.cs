namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>Every test class that needs PostgreSQL: they share one throwaway <see cref="PostgresServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSql";
}
