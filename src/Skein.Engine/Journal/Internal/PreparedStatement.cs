using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Skein.Engine.Journal.Internal;

/// <summary>
/// A statement prepared once on the writer's connection and executed many times through SQLite's C API.
/// </summary>
/// <remarks>
/// <see cref="SqliteCommand"/> binds every parameter by name and builds a data reader on each execution, about
/// 1.5 KB and a few microseconds per row; here a parameter is bound by its position, text encoded into a
/// reused buffer, and a row costs one step and one reset. Errors still surface as <see cref="SqliteException"/>
/// with SQLite's code and message. Not thread-safe: owned by the writer loop, like the connection.
/// </remarks>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    /// <summary>SQLite's index of each parameter, in the order the caller named them.</summary>
    private readonly int[] _indexes;

    /// <summary>Where a text parameter is encoded before SQLite copies it.</summary>
    private byte[] _text = new byte[256];

    public PreparedStatement(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The journal's connection is not open.");
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail);
        SqliteException.ThrowExceptionForRC(rc, _db);
        if (!string.IsNullOrWhiteSpace(tail)) throw new ArgumentException($"One statement at a time; this SQL has more after it: {tail}", nameof(sql));
        _indexes = new int[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            _indexes[i] = raw.sqlite3_bind_parameter_index(_statement, parameterNames[i]);
            if (_indexes[i] == 0) throw new ArgumentException($"The statement has no parameter {parameterNames[i]}.", nameof(parameterNames));
        }
    }

    public void Set(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, _indexes[index]));
        }
        else if (value.Length == 0)
        {
            // An empty span would reach SQLite as a null pointer, which it stores as NULL rather than ''.
            Check(raw.sqlite3_bind_text(_statement, _indexes[index], ""));
        }
        else
        {
            // UTF-8 as the database stores it, so SQLite makes one copy and no conversion; it copies before returning.
            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (_text.Length < max) _text = new byte[Math.Max(max, _text.Length * 2)];
            var length = Encoding.UTF8.GetBytes(value, _text);
            Check(raw.sqlite3_bind_text(_statement, _indexes[index], _text.AsSpan(0, length)));
        }
    }

    public void Set(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, _indexes[index], value));

    public void Set(int index, long? value)
    {
        if (value is { } v) Set(index, v);
        else Check(raw.sqlite3_bind_null(_statement, _indexes[index]));
    }

    public void Set(int index, int? value) => Set(index, (long?)value);

    public void Set(int index, double? value)
    {
        if (value is { } v) Check(raw.sqlite3_bind_double(_statement, _indexes[index], v));
        else Check(raw.sqlite3_bind_null(_statement, _indexes[index]));
    }

    public void Set(int index, bool value) => Set(index, value ? 1L : 0L);

    /// <summary>Runs a statement whose rows, if any, are not wanted.</summary>
    /// <returns>The rows an INSERT, UPDATE or DELETE changed.</returns>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        // A statement with RETURNING or a PRAGMA may yield rows; they are not wanted here.
        while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(_statement);
        Finish(rc);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Runs a statement and returns the first column of its first row as an integer, or null.</summary>
    public long? ScalarInt64()
    {
        long? value = null;
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW && raw.sqlite3_column_type(_statement, 0) != raw.SQLITE_NULL)
            value = raw.sqlite3_column_int64(_statement, 0);
        while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(_statement);
        Finish(rc);
        return value;
    }

    /// <summary>Steps to the next row of a query: true with a row to read, false (and reset) at the end.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        Finish(rc);
        return false;
    }

    /// <summary>Ends a query before its last row.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string GetString(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Dispose() => _statement.Dispose();

    private void Finish(int rc)
    {
        if (rc == raw.SQLITE_DONE)
        {
            raw.sqlite3_reset(_statement);
            return;
        }
        try
        {
            // Before the reset: the connection's error message is the step's.
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }
}
