using OrleansNotifications.Runtime.Membership;
using static OrleansNotifications.Persistence.Sqlite.SqliteCommandExtensions;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>Lease rows in the embedded database: one node in practice, but the same rules as the cluster's.</summary>
public sealed class SqliteMembershipTable(SqliteDatabase database, SqliteWriteQueue writer) : IMembershipTable
{
    private const string DatabaseNowMs = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";

    public Task HeartbeatAsync(string name, string address, DateTimeOffset startedAt) =>
        writer.WriteAsync(context => context.Command($"""
            INSERT INTO cluster_members (name, address, started_ms, heartbeat_ms, left_cluster) VALUES (@name, @address, @started, {DatabaseNowMs}, 0)
            ON CONFLICT (name) DO UPDATE SET address = excluded.address, started_ms = excluded.started_ms,
                heartbeat_ms = excluded.heartbeat_ms, left_cluster = 0
            """).With("@name", name).With("@address", address).With("@started", startedAt.ToUnixMs()).ExecuteNonQuery());

    public Task<IReadOnlyList<ClusterMember>> ReadAsync(TimeSpan leaseTimeout) =>
        database.ReadAsync<IReadOnlyList<ClusterMember>>(session =>
        {
            using var reader = session.Command($"SELECT name, address, started_ms, heartbeat_ms, left_cluster, {DatabaseNowMs} FROM cluster_members ORDER BY name")
                .ExecuteReader();
            var members = new List<ClusterMember>();
            while (reader.Read())
            {
                var heartbeat = reader.GetInt64(3);
                var alive = reader.GetInt64(4) == 0 && reader.GetInt64(5) - heartbeat <= (long)leaseTimeout.TotalMilliseconds;
                members.Add(new ClusterMember(reader.GetString(0), reader.GetString(1), FromUnixMs(reader.GetInt64(2)), FromUnixMs(heartbeat),
                    alive ? MemberStatus.Active : MemberStatus.Dead));
            }

            return members;
        });

    public Task LeaveAsync(string name) =>
        writer.WriteAsync(context => context.Command("UPDATE cluster_members SET left_cluster = 1 WHERE name = @name").With("@name", name).ExecuteNonQuery());
}
