using Microsoft.Data.Sqlite;
using Skein.Shared.Sqlite;

namespace Skein.Engine.Journal.Internal;

/// <summary>Finds, checks and opens the journal file of a state directory.</summary>
internal static class JournalConnection
{
    public const string FileName = "journal.db";

    /// <summary>How long a statement waits for another process's write lock before failing.</summary>
    private const int BusyTimeoutMilliseconds = 10_000;

    public static string PathIn(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), FileName);

    /// <summary>
    /// Fails with a message naming the directory unless it exists and is writable or can be created,
    /// before anything is created in it.
    /// </summary>
    public static void EnsureWritable(string stateDirectory)
    {
        var full = Path.GetFullPath(stateDirectory);
        var existing = full;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new SkeinException($"the state directory {full} cannot be created: {existing} is a file, not a directory");
            existing = Path.GetDirectoryName(existing)
                ?? throw new SkeinException($"the state directory {full} cannot be created: no part of its path exists");
        }

        // Permission bits do not tell the whole story (root, read-only mounts, ACLs): only a real write does.
        var probe = Path.Combine(existing, $".skein-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"the state directory {full} is not writable: {e.Message}", e);
        }
    }

    /// <summary>Opens (creating if needed) the journal for the single writer: WAL, synchronous=NORMAL, a busy timeout, the schema.</summary>
    public static SqliteConnection OpenForWriting(string journalPath) =>
        Open(journalPath, SqliteOpenMode.ReadWriteCreate, static (connection, journalPath) =>
        {
            // Before anything below changes the file: a foreign or newer database must be left exactly as it was.
            JournalSchema.Inspect(connection, journalPath);
            // WAL lets readers (skein runs, a dashboard) read while a run writes, and makes a commit one append.
            var mode = connection.Scalar("PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new SkeinException($"the journal {journalPath} cannot use write-ahead logging (journal mode stays '{mode}')");
            // NORMAL in WAL mode: a commit survives the process being killed; only a power cut may lose the last commits.
            // The writer upgrades to FULL for the commit that ends a run.
            connection.Execute("""
                PRAGMA synchronous = NORMAL;
                PRAGMA journal_size_limit = 67108864;
                PRAGMA cache_size = -16384;
                """);
            JournalSchema.Create(connection, journalPath);
        });

    /// <summary>Opens an existing journal read-only; never creates or changes it.</summary>
    /// <remarks>
    /// A journal in WAL mode is read through its -shm index, which a reader creates when it is missing. Where the
    /// reader may not create files (a read-only directory, another user's state, a read-only mount) and no -wal
    /// holds commits beyond the file, nothing is writing the journal: it is then opened as immutable, which
    /// reads the file alone.
    /// </remarks>
    public static SqliteConnection OpenForReading(string journalPath)
    {
        try
        {
            return Open(journalPath, SqliteOpenMode.ReadOnly, immutable: false, Check);
        }
        catch (SkeinException e) when (e.InnerException is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN })
        {
            var wal = new FileInfo(journalPath + "-wal");
            if (wal.Exists && wal.Length > 0)
                throw new SkeinException($"the journal {journalPath} cannot be read: its index cannot be created here, and {wal.FullName} holds commits a reader needs it for: {e.InnerException.Message}", e.InnerException);
            return Open(journalPath, SqliteOpenMode.ReadOnly, immutable: true, Check);
        }

        static void Check(SqliteConnection connection, string journalPath) => JournalSchema.Check(connection, journalPath);
    }

    /// <summary>Opens with a busy timeout, then prepares the connection; on any failure the connection is closed again.</summary>
    private static SqliteConnection Open(string journalPath, SqliteOpenMode mode, Action<SqliteConnection, string> prepare) =>
        Open(journalPath, mode, immutable: false, prepare);

    private static SqliteConnection Open(string journalPath, SqliteOpenMode mode, bool immutable, Action<SqliteConnection, string> prepare)
    {
        var connection = new SqliteConnection(ConnectionString(journalPath, mode, immutable));
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}");
            prepare(connection, journalPath);
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Describe(e, journalPath, forWriting: mode != SqliteOpenMode.ReadOnly);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Turns SQLite's error codes into messages that name the file and say what is wrong with it.</summary>
    public static SkeinException Describe(SqliteException e, string journalPath, bool forWriting = true) => e.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_NOTADB => new SkeinException($"{journalPath} is not a Skein journal: it is not a SQLite database", e),
        SQLitePCL.raw.SQLITE_CORRUPT => new SkeinException($"the journal {journalPath} is damaged: {e.Message}", e),
        SQLitePCL.raw.SQLITE_FULL => new SkeinException($"the journal {journalPath} cannot be written: the disk is full", e),
        SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM =>
            new SkeinException($"the journal {journalPath} cannot be opened for {(forWriting ? "writing" : "reading")}: {e.Message}", e),
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED =>
            new SkeinException($"the journal {journalPath} stayed locked by another process: {e.Message}", e),
        _ => new SkeinException($"the journal {journalPath} failed: {e.Message}", e),
    };

    private static string ConnectionString(string journalPath, SqliteOpenMode mode, bool immutable) => new SqliteConnectionStringBuilder
    {
        // immutable=1 is a URI parameter: the path goes in a file: URI, escaped.
        DataSource = immutable ? new Uri(journalPath).AbsoluteUri + "?immutable=1" : journalPath,
        Mode = mode,
        // Pooling would keep the file open after Dispose, holding the WAL and the directory.
        Pooling = false,
        DefaultTimeout = BusyTimeoutMilliseconds / 1000,
    }.ToString();
}
