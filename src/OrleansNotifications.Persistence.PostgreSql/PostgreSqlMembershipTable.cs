using OrleansNotifications.Runtime.Membership;
using static OrleansNotifications.Persistence.PostgreSql.PostgreSqlCommandExtensions;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>Lease rows, stamped and judged by the database server's clock (<c>clock_timestamp()</c>), never a node's.</summary>
public sealed class PostgreSqlMembershipTable(PostgreSqlDatabase database, PostgreSqlWriteQueue writer) : IMembershipTable
{
    private const string DatabaseNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    public Task HeartbeatAsync(string name, string address, DateTimeOffset startedAt) =>
        writer.WriteAsync(session => session.Command($"""
            INSERT INTO cluster_members (name, address, started_ms, heartbeat_ms, left_cluster) VALUES (@name, @address, @started, {DatabaseNowMs}, false)
            ON CONFLICT (name) DO UPDATE SET address = excluded.address, started_ms = excluded.started_ms,
                heartbeat_ms = excluded.heartbeat_ms, left_cluster = false
            """).With("@name", name).With("@address", address).With("@started", startedAt.ToUnixMs()).ExecuteAsync());

    public Task<IReadOnlyList<ClusterMember>> ReadAsync(TimeSpan leaseTimeout) =>
        database.ReadAsync<IReadOnlyList<ClusterMember>>(async session => await session
            .Command($"SELECT name, address, started_ms, heartbeat_ms, left_cluster, {DatabaseNowMs} FROM cluster_members ORDER BY name")
            .ReadAllAsync(reader =>
            {
                var heartbeat = reader.GetInt64(3);
                var alive = !reader.GetBoolean(4) && reader.GetInt64(5) - heartbeat <= (long)leaseTimeout.TotalMilliseconds;
                return new ClusterMember(reader.GetString(0), reader.GetString(1), FromUnixMs(reader.GetInt64(2)), FromUnixMs(heartbeat),
                    alive ? MemberStatus.Active : MemberStatus.Dead);
            }));

    public Task LeaveAsync(string name) =>
        writer.WriteAsync(session => session.Command("UPDATE cluster_members SET left_cluster = true WHERE name = @name").With("@name", name).ExecuteAsync());
}
