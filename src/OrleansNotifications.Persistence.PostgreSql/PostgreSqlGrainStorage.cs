using System.Globalization;
using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Storage;

namespace OrleansNotifications.Persistence.PostgreSql;

/// <summary>Grain state as JSON blobs with an integer version as the ETag.</summary>
public sealed class PostgreSqlGrainStorage(PostgreSqlDatabase database, PostgreSqlWriteQueue writer) : IGrainStorage
{
    private const string Key = "grain_type = @type AND grain_key = @key AND state_name = @name";

    public Task<GrainStateRecord?> ReadAsync(GrainId grain, string stateName) =>
        database.ReadAsync(async session => (await session.Command($"SELECT payload, etag FROM grain_state WHERE {Key}")
            .With("@type", grain.Type).With("@key", grain.Key).With("@name", stateName)
            .ReadAllAsync(reader => new GrainStateRecord((byte[])reader[0], reader.GetInt64(1).ToString(CultureInfo.InvariantCulture))))
            .FirstOrDefault());

    public async Task<string> WriteAsync(GrainId grain, string stateName, byte[] payload, string? expectedEtag)
    {
        var expected = ParseEtag(expectedEtag);
        var written = await writer.WriteAsync(session =>
        {
            var command = expected == 0
                ? session.Command("INSERT INTO grain_state (grain_type, grain_key, state_name, etag, payload) VALUES (@type, @key, @name, 1, @payload) ON CONFLICT DO NOTHING")
                : session.Command($"UPDATE grain_state SET etag = etag + 1, payload = @payload WHERE {Key} AND etag = @expected").With("@expected", expected);
            return command.With("@type", grain.Type).With("@key", grain.Key).With("@name", stateName).With("@payload", payload).ExecuteAsync();
        });
        return written == 1
            ? (expected + 1).ToString(CultureInfo.InvariantCulture)
            : throw Conflict(grain, stateName, expectedEtag);
    }

    public async Task ClearAsync(GrainId grain, string stateName, string? expectedEtag)
    {
        var expected = ParseEtag(expectedEtag);
        var deleted = await writer.WriteAsync(session => session
            .Command($"DELETE FROM grain_state WHERE {Key} AND etag = @expected")
            .With("@type", grain.Type).With("@key", grain.Key).With("@name", stateName).With("@expected", expected).ExecuteAsync());
        if (deleted != 1 && expected != 0)
        {
            throw Conflict(grain, stateName, expectedEtag);
        }
    }

    private static long ParseEtag(string? etag) => etag is null ? 0 : long.Parse(etag, CultureInfo.InvariantCulture);

    private static InconsistentStateException Conflict(GrainId grain, string stateName, string? expectedEtag) =>
        new($"State '{stateName}' of {grain} is no longer at version {expectedEtag ?? "(none)"}.");
}
