using System.Globalization;
using System.Reflection;
using Npgsql;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>
/// Applies the embedded <c>Scripts/NNN-*.sql</c> in order, each once, recording it in <c>schema_version</c> in the same
/// transaction. An advisory lock serialises nodes that start together: the second waits, then finds nothing left to do.
/// </summary>
public static class PostgreSqlSchema
{
    // Any constant the cluster agrees on; "ONOT" in ASCII.
    private const long MigrationLock = 0x4F4E4F54;

    public static void Apply(NpgsqlConnection connection)
    {
        Execute(connection, null, $"SELECT pg_advisory_lock({MigrationLock})");
        try
        {
            Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            using var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection);
            var applied = (int)current.ExecuteScalar()!;
            var assembly = typeof(PostgreSqlSchema).Assembly;
            foreach (var (version, resource) in Scripts(assembly).Where(s => s.Version > applied))
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var text = new StreamReader(stream);
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, text.ReadToEnd());
                Execute(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({version})");
                transaction.Commit();
            }
        }
        finally
        {
            Execute(connection, null, $"SELECT pg_advisory_unlock({MigrationLock})");
        }
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }

    private static IEnumerable<(int Version, string Resource)> Scripts(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Version: int.Parse(name.Split('.')[^2][..3], CultureInfo.InvariantCulture), Resource: name))
            .OrderBy(script => script.Version);
}
