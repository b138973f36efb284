using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// Applies the embedded <c>Scripts/NNN-*.sql</c> in order, each once: the applied version is kept in SQLite's
/// <c>user_version</c>, and every script is itself idempotent, so a crash between script and version bump is harmless.
/// </summary>
public static class SqliteSchema
{
    /// <param name="connection">An open connection to the database.</param>
    /// <param name="lastVersion">Stop after this version: the upgrade tests build an older database first.</param>
    public static void Apply(SqliteConnection connection, int lastVersion = int.MaxValue)
    {
        using (var wal = connection.Command("PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 67108864;"))
        {
            wal.ExecuteNonQuery();
        }

        var applied = (long)connection.Command("PRAGMA user_version;").ExecuteScalar()!;
        var assembly = typeof(SqliteSchema).Assembly;
        foreach (var (version, resource) in Scripts(assembly).Where(s => s.Version > applied && s.Version <= lastVersion))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            using var transaction = connection.BeginTransaction();
            using var command = connection.Command(text.ReadToEnd() + $"\nPRAGMA user_version = {version};");
            command.Transaction = transaction;
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static IEnumerable<(int Version, string Resource)> Scripts(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Version: int.Parse(name.Split('.')[^2][..3], CultureInfo.InvariantCulture), Resource: name))
            .OrderBy(script => script.Version);
}
