using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OrleansNotifications.Persistence.Sqlite;

namespace OrleansNotifications.Benchmarks;

/// <summary>
/// What the storage engine alone sustains: for each publish, the user-sequence read (the compare-and-swap), the notification
/// insert and the change insert the service runs, with realistically sized JSON, in transactions of 64 (a typical group commit), one thread,
/// <c>synchronous=FULL</c>, into the schema the service itself applies. The service's rate divided by this is its overhead.
/// </summary>
public static class SqliteBaseline
{
    private const int Batch = 64;

    public static void Run(string databaseFile, int rows, int users)
    {
        using var connection = new SqliteConnection($"Data Source={databaseFile}");
        connection.Open();
        SqliteSchema.Apply(connection);
        using (var sync = connection.CreateCommand())
        {
            sync.CommandText = "PRAGMA synchronous = FULL;";
            sync.ExecuteNonQuery();
        }

        using var currentSequence = Prepare(connection, "SELECT MAX(sequence) FROM (SELECT sequence FROM users WHERE app_id = 'app' AND user_id = @user UNION ALL SELECT MAX(sequence) FROM changes WHERE app_id = 'app' AND user_id = @user)");
        using var notification = Prepare(connection, """
            INSERT INTO notifications (app_id, user_id, id, app_notification_id, group_name, read_state, user_action_state,
                                       published_sequence, expires_ms, content_hash, resource)
            VALUES ('app', @user, @id, @anid, 'bench', 0, 0, @sequence, @expires, @hash, @resource)
            """);
        using var change = Prepare(connection, "INSERT INTO changes (app_id, user_id, sequence, kind, notification_id, occurred_ms, notification, publishes) VALUES ('app', @user, @sequence, 0, @id, @occurred, @resource, 1)");

        var resource = new byte[450];
        Random.Shared.NextBytes(resource);
        var hash = new byte[32];
        var sequences = new long[users];
        var started = Stopwatch.GetTimestamp();
        var checkpoint = started;
        var writtenAtCheckpoint = 0;
        for (var i = 0; i < rows; i += Batch)
        {
            using var transaction = connection.BeginTransaction();
            foreach (var command in new[] { currentSequence, notification, change })
            {
                command.Transaction = transaction;
            }

            for (var j = i; j < i + Batch; j++)
            {
                var u = UserOrder.Of(j, users);
                var userId = $"user-{u}";
                var sequence = ++sequences[u];
                var id = Guid.CreateVersion7().ToString("N");
                Execute(currentSequence, ("@user", userId));
                Execute(notification, ("@user", userId), ("@id", id), ("@anid", $"bench-{j}"), ("@sequence", sequence),
                    ("@expires", 1_800_000_000_000L + j), ("@hash", hash), ("@resource", resource));
                Execute(change, ("@user", userId), ("@sequence", sequence), ("@id", id), ("@occurred", 1_700_000_000_000L + j), ("@resource", resource));
            }

            transaction.Commit();
            var written = i + Batch;
            if (written - writtenAtCheckpoint >= 100_000)
            {
                var now = Stopwatch.GetTimestamp();
                var rate = (written - writtenAtCheckpoint) / Stopwatch.GetElapsedTime(checkpoint, now).TotalSeconds;
                Console.WriteLine($"sqlite-baseline: {written:N0} publishes written; the last {written - writtenAtCheckpoint:N0} at {rate:F0}/s");
                (checkpoint, writtenAtCheckpoint) = (now, written);
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"sqlite-baseline ({rows:N0} publishes, {users:N0} users{(UserOrder.RoundRobin ? " in turn" : " at random")}, batches of {Batch}, synchronous=FULL): {rows / seconds:F0} publishes/s on average; database {new FileInfo(databaseFile).Length / 1048576} MiB");
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteCommand command, params (string Name, object Value)[] parameters)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
