using Microsoft.Data.Sqlite;

namespace Skein.Engine.Journal.Internal;

/// <summary>
/// A command prepared once and executed many times: its parameters are held by position, so setting one is a
/// field store rather than a lookup by name.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private static readonly object s_true = 1L;
    private static readonly object s_false = 0L;

    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public PreparedStatement(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            _parameters[i] = _command.Parameters.Add(new SqliteParameter(parameterNames[i], DBNull.Value));
        }
        _command.Prepare();
    }

    public SqliteTransaction? Transaction
    {
        set => _command.Transaction = value;
    }

    public void Set(int index, string? value) => _parameters[index].Value = value is null ? DBNull.Value : value;

    public void Set(int index, long value) => _parameters[index].Value = value;

    public void Set(int index, long? value) => _parameters[index].Value = value is { } v ? v : DBNull.Value;

    public void Set(int index, int? value) => _parameters[index].Value = value is { } v ? v : DBNull.Value;

    public void Set(int index, double? value) => _parameters[index].Value = value is { } v ? v : DBNull.Value;

    public void Set(int index, bool value) => _parameters[index].Value = value ? s_true : s_false;

    public int Execute() => _command.ExecuteNonQuery();

    public object? Scalar() => _command.ExecuteScalar();

    public SqliteDataReader Query() => _command.ExecuteReader();

    public void Dispose() => _command.Dispose();
}
