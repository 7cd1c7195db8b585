using Microsoft.Data.Sqlite;

namespace Skein.Shared.Sqlite;

/// <summary>One-off statements (pragmas, schema) on an open connection, where a prepared command would not pay off.</summary>
internal static class SqliteStatements
{
    public static void Execute(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
