using Microsoft.Data.Sqlite;

namespace Skein.Engine.Journal.Internal;

/// <summary>A row of the runs table as stored, read in the column order of the reader's run queries.</summary>
internal sealed record RunRow(
    long Id,
    string JobName,
    string Status,
    long StartedAtMs,
    long? EndedAtMs,
    string Host,
    int Pid,
    long? ProcessStartedAtMs,
    int? TaskCount,
    OutcomeCounts Counts,
    string? JobFile,
    string? CommandLine,
    long? ResumedFrom)
{
    public static RunRow Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetInt64(3),
        Long(reader, 4),
        reader.GetString(5),
        reader.GetInt32(6),
        Long(reader, 7),
        reader.IsDBNull(8) ? null : reader.GetInt32(8),
        reader.IsDBNull(8)
            ? default
            : new OutcomeCounts(reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12),
                reader.GetInt32(13), reader.GetInt32(14), reader.GetInt32(15)),
        reader.IsDBNull(16) ? null : reader.GetString(16),
        reader.IsDBNull(17) ? null : reader.GetString(17),
        Long(reader, 18));

    private static long? Long(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
