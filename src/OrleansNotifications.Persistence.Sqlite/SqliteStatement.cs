using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrleansNotifications.Persistence.Sqlite;

/// <summary>
/// A statement prepared once and bound straight through SQLite's C API, for the few statements every publish runs on the
/// writer's thread. Microsoft.Data.Sqlite allocates a parameter, a binder and the UTF-8 of the parameter's name for every
/// value it binds: ~3.5 KiB and ~8 µs of the single writer's time per publish (docs/BENCHMARKS.md, ninth session).
/// Runs inside whatever transaction the connection has open; errors surface as <see cref="SqliteException"/>, as with
/// commands. Parameters are named in the SQL as usual; each name is looked up once. Unlike a command it does not wait and
/// retry when the database is busy, so it suits the writer, which holds the write lock, and not reads.
/// Text is bound with its length, U+0000 included, as Microsoft.Data.Sqlite binds it, so reads through commands find
/// exactly what this wrote.
/// </summary>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    public static SqliteStatement Prepare(SqliteConnection connection, string sql)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return new SqliteStatement(db, statement);
    }

    public SqliteStatement With(string name, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, IndexOf(name), value));
        return this;
    }

    public SqliteStatement With(string name, string? value)
    {
        var index = IndexOf(name);
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return this;
        }

        if (value.Length == 0)
        {
            // An empty span reaches SQLite as a null pointer, which it would store as NULL rather than as ''.
            Check(raw.sqlite3_bind_text(_statement, index, string.Empty));
            return this;
        }

        // SQLite copies the text before the bind returns (SQLITE_TRANSIENT), so a borrowed buffer is enough.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Check(raw.sqlite3_bind_text(_statement, index, buffer[..Encoding.UTF8.GetBytes(value, buffer)]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return this;
    }

    public SqliteStatement With(string name, byte[]? value)
    {
        var index = IndexOf(name);
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_blob(_statement, index, value));
        return this;
    }

    public SqliteStatement ForUser(OrleansNotifications.Grains.UserKey user) => With("@app", user.AppId).With("@user", user.UserId);

    /// <summary>Runs a statement that returns no rows.</summary>
    public void Execute()
    {
        try
        {
            var result = raw.sqlite3_step(_statement);
            if (result != raw.SQLITE_DONE)
            {
                Check(result == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : result);
            }
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>The first column of the first row as a 64-bit integer; null when there is no row or the value is NULL.</summary>
    public long? ScalarInt64()
    {
        try
        {
            var result = raw.sqlite3_step(_statement);
            if (result == raw.SQLITE_ROW)
            {
                return raw.sqlite3_column_type(_statement, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_statement, 0);
            }

            Check(result == raw.SQLITE_DONE ? raw.SQLITE_OK : result);
            return null;
        }
        finally
        {
            Reset();
        }
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>Ready for the next run, with no value left bound: a parameter a caller forgets is NULL, never the last value.</summary>
    private void Reset()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }

    private int IndexOf(string name)
    {
        if (!_indexes.TryGetValue(name, out var index))
        {
            index = raw.sqlite3_bind_parameter_index(_statement, name);
            if (index == 0)
            {
                throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
            }

            _indexes[name] = index;
        }

        return index;
    }

    private void Check(int result) => Check(_db, result);

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
