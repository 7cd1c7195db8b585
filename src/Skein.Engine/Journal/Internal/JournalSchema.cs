using Microsoft.Data.Sqlite;

namespace Skein.Engine.Journal.Internal;

/// <summary>The journal's tables and the format version that guards them.</summary>
/// <remarks>
/// Times are Unix milliseconds (UTC) and outcomes are their wire names, so the file reads well in the sqlite3 shell.
/// Foreign keys are not declared: enforcing them would cost a lookup per row on the writer's hot path, and
/// the single writer is what keeps the tables consistent.
/// </remarks>
internal static class JournalSchema
{
    /// <summary>Bump when the schema changes in a way older code cannot read, and add the migration to <see cref="Create"/>.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Counts a run's tasks by outcome, in the column order of the runs table's n_* columns; append a WHERE.</summary>
    public const string OutcomeCountsSelect = """
        SELECT count(*),
            count(*) FILTER (WHERE outcome = 'passed'),
            count(*) FILTER (WHERE outcome = 'warned'),
            count(*) FILTER (WHERE outcome = 'skipped'),
            count(*) FILTER (WHERE outcome = 'failed'),
            count(*) FILTER (WHERE outcome = 'timed-out'),
            count(*) FILTER (WHERE outcome = 'errored'),
            count(*) FILTER (WHERE outcome = 'cancelled')
        FROM tasks
        """;

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS runs (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            job_name           TEXT NOT NULL,
            job_file           TEXT,
            status             TEXT NOT NULL,
            started_at         INTEGER NOT NULL,
            ended_at           INTEGER,
            resumed_from       INTEGER,
            command_line       TEXT,
            host               TEXT NOT NULL,
            pid                INTEGER NOT NULL,
            process_started_at INTEGER,
            n_tasks            INTEGER,
            n_passed           INTEGER,
            n_warned           INTEGER,
            n_skipped          INTEGER,
            n_failed           INTEGER,
            n_timed_out        INTEGER,
            n_errored          INTEGER,
            n_cancelled        INTEGER
        );
        CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_name, id);

        CREATE TABLE IF NOT EXISTS tasks (
            run_id          INTEGER NOT NULL,
            task_id         TEXT NOT NULL,
            ord             INTEGER,
            definition_hash TEXT,
            grp             TEXT,
            state           TEXT NOT NULL,
            outcome         TEXT,
            reason          TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            started_at      INTEGER,
            duration_ms     REAL,
            exit_code       INTEGER,
            log_path        TEXT,
            reused          INTEGER NOT NULL DEFAULT 0,
            reused_from     INTEGER,
            PRIMARY KEY (run_id, task_id)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS attempts (
            run_id      INTEGER NOT NULL,
            task_id     TEXT NOT NULL,
            attempt     INTEGER NOT NULL,
            started_at  INTEGER,
            finished_at INTEGER,
            outcome     TEXT,
            reason      TEXT,
            exit_code   INTEGER,
            log_path    TEXT,
            PRIMARY KEY (run_id, task_id, attempt)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS sub_results (
            run_id  INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            seq     INTEGER NOT NULL,
            name    TEXT NOT NULL,
            outcome TEXT NOT NULL,
            message TEXT,
            PRIMARY KEY (run_id, task_id, seq)
        ) WITHOUT ROWID;
        """ + AddedTablesSql;

    /// <summary>
    /// Tables added since format version 1. Older code reads a journal that has them (it never looks), so they need
    /// no new format version: opening an older journal for writing adds them, and readers treat a missing one as empty.
    /// </summary>
    private const string AddedTablesSql = """

        CREATE TABLE IF NOT EXISTS outputs (
            run_id  INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            name    TEXT NOT NULL,
            value   TEXT NOT NULL,
            PRIMARY KEY (run_id, task_id, name)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS artifacts (
            run_id  INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            path    TEXT NOT NULL,
            size    INTEGER NOT NULL,
            sha256  TEXT NOT NULL,
            PRIMARY KEY (run_id, task_id, path)
        ) WITHOUT ROWID;
        """;

    /// <summary>Creates the tables in an empty database, or checks that an existing one is a journal this code can use.</summary>
    public static void Create(SqliteConnection connection, string journalPath)
    {
        // IMMEDIATE: two processes opening a fresh state directory at once must not both create the schema.
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = ReadFormatVersion(connection, transaction, journalPath);
        if (version is null)
        {
            using var create = connection.CreateCommand();
            create.Transaction = transaction;
            create.CommandText = CreateSql + $"""

                INSERT INTO meta (key, value) VALUES ('format_version', '{CurrentFormatVersion}');
                INSERT INTO meta (key, value) VALUES ('created_by', 'Skein {typeof(JournalSchema).Assembly.GetName().Version}');
                """;
            create.ExecuteNonQuery();
        }
        else
        {
            EnsureReadable(version.Value, journalPath);
            using var add = connection.CreateCommand();
            add.Transaction = transaction;
            add.CommandText = AddedTablesSql;
            add.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>
    /// The format version of a journal this code can use, or null for an empty database; throws for anything else.
    /// Reads only, so a file that is refused is left exactly as it was.
    /// </summary>
    public static int? Inspect(SqliteConnection connection, string journalPath)
    {
        var version = ReadFormatVersion(connection, null, journalPath);
        if (version is { } known) EnsureReadable(known, journalPath);
        return version;
    }

    /// <summary>Checks that a database is a journal this code can read.</summary>
    public static void Check(SqliteConnection connection, string journalPath)
    {
        if (Inspect(connection, journalPath) is null)
            throw new SkeinException($"{journalPath} is not a Skein journal: it has no tables.");
    }

    /// <summary>The format version, or null for an empty database. Throws for a database that is something else.</summary>
    private static int? ReadFormatVersion(SqliteConnection connection, SqliteTransaction? transaction, string journalPath)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT
                (SELECT count(*) FROM sqlite_schema WHERE type = 'table'),
                (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta')
            """;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            if (reader.GetInt64(0) == 0) return null;
            if (reader.GetInt64(1) == 0)
                throw new SkeinException($"{journalPath} is not a Skein journal: it is a SQLite database with other tables.");
        }

        command.CommandText = "SELECT value FROM meta WHERE key = 'format_version'";
        var text = command.ExecuteScalar() as string;
        if (!int.TryParse(text, out var version))
            throw new SkeinException($"{journalPath} is not a Skein journal: it records no format version.");
        return version;
    }

    private static void EnsureReadable(int version, string journalPath)
    {
        if (version > CurrentFormatVersion)
        {
            throw new SkeinException(
                $"journal {journalPath} has format version {version}; this Skein reads up to {CurrentFormatVersion} — " +
                "upgrade Skein or use another --state directory");
        }
    }
}
