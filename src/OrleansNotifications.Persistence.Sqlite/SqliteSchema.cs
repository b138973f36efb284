using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// Applies the embedded <c>Scripts/NNN-*.sql</c> in order, each once: the applied version is kept in SQLite's
/// <c>user_version</c>, bumped in the script's own transaction, so a crash leaves either both or neither. A database
/// newer than this build is refused rather than written with an older layout's assumptions.
/// </summary>
public static class SqliteSchema
{
    /// <param name="connection">An open connection to the database.</param>
    /// <param name="lastVersion">Stop after this version: the upgrade tests build an older database first.</param>
    public static void Apply(SqliteConnection connection, int lastVersion = int.MaxValue)
    {
        using (var wal = connection.Command("PRAGMA journal_mode = WAL;"))
        {
            wal.ExecuteNonQuery();
        }

        var assembly = typeof(SqliteSchema).Assembly;
        var scripts = Scripts(assembly).ToList();
        var newest = scripts[^1].Version;
        foreach (var (version, resource) in scripts.Where(s => s.Version <= lastVersion))
        {
            // IMMEDIATE, and the version read inside it: of several processes starting on one file, one applies each script
            // and the others then see it applied (a rebuild like 004's must not run twice under a serving process).
            using var transaction = connection.BeginTransaction();
            var applied = UserVersion(connection, transaction);
            if (applied > newest)
            {
                throw new InvalidOperationException(
                    $"The database's schema is version {applied}, newer than this build's {newest}: run the newer build.");
            }

            if (applied >= version)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            using var command = connection.Command(text.ReadToEnd() + $"\nPRAGMA user_version = {version};");
            command.Transaction = transaction;
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static long UserVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.Command("PRAGMA user_version;");
        command.Transaction = transaction;
        return (long)command.ExecuteScalar()!;
    }

    private static IEnumerable<(int Version, string Resource)> Scripts(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Version: int.Parse(name.Split('.')[^2][..3], CultureInfo.InvariantCulture), Resource: name))
            .OrderBy(script => script.Version);
}
