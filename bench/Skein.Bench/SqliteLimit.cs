using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Skein.Bench;

/// <summary>
/// What SQLite alone takes to hold a run of no-op tasks: the rows a journaled run leaves behind, inserted through
/// SQLite's C API with statements prepared once, in transactions of <see cref="BatchTasks"/> tasks, on a connection
/// set up as the journal's is (WAL, synchronous=NORMAL, FULL for the last commit). Every value is made before the
/// clock starts, so nothing but SQLite is timed: the journal's limit, measured in the same run.
/// </summary>
internal static class SqliteLimit
{
    /// <summary>Tasks per transaction: the journal's own largest group commit.</summary>
    public const int BatchTasks = 10_000;

    /// <summary>How the rows go in.</summary>
    public enum Shape
    {
        /// <summary>Each task's final row once (2 rows a task: the task and its attempt): the floor for the final content.</summary>
        FinalRows,

        /// <summary>
        /// What the journal's contract makes it write: every task's definition up front in one transaction (a crash
        /// still lists every task of the run), then per task its attempt and its final state over the definition
        /// (3 row writes a task).
        /// </summary>
        DefinitionsThenResults,
    }

    public sealed record Sample(TimeSpan Elapsed, long Rows) : ISample;

    /// <summary>The values every repetition writes, made once.</summary>
    public sealed class Rows
    {
        public Rows(int count, string logDirectory)
        {
            TaskIds = new string[count];
            Hashes = new string[count];
            LogPaths = new string[count];
            for (var i = 0; i < count; i++)
            {
                TaskIds[i] = EngineHarness.TaskId(i);
                // The journal's definition hash: 24 lowercase hex digits.
                Hashes[i] = i.ToString("x24", System.Globalization.CultureInfo.InvariantCulture);
                LogPaths[i] = Path.Combine(logDirectory, TaskIds[i] + ".1.log");
            }
        }

        public string[] TaskIds { get; }
        public string[] Hashes { get; }
        public string[] LogPaths { get; }
    }

    /// <summary>Writes the rows of one run into the journal schema of <paramref name="journalFile"/> (created by the journal).</summary>
    public static Sample Run(string journalFile, Rows rows, Shape shape)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalFile, Pooling = false }.ToString());
        connection.Open();
        var db = connection.Handle!;
        Exec(db, "PRAGMA journal_mode = WAL");
        Exec(db, "PRAGMA synchronous = NORMAL");
        Exec(db, "PRAGMA cache_size = -16384");

        using var begin = Prepare(db, "BEGIN IMMEDIATE");
        using var commit = Prepare(db, "COMMIT");
        using var insertRun = Prepare(db, """
            INSERT INTO runs (job_name, status, started_at, host, pid) VALUES ('journal', 'running', ?1, 'bench', ?2) RETURNING id
            """);
        using var defineTask = Prepare(db, """
            INSERT INTO tasks (run_id, task_id, ord, definition_hash, state) VALUES (?1, ?2, ?3, ?4, 'pending')
            """);
        using var insertAttempt = Prepare(db, """
            INSERT INTO attempts (run_id, task_id, attempt, started_at, log_path, finished_at, outcome)
            VALUES (?1, ?2, 1, ?3, ?4, ?3, 'passed')
            """);
        using var finishTask = Prepare(db, """
            UPDATE tasks SET state = 'finished', outcome = 'passed', attempts = 1, started_at = ?3, duration_ms = 0.001, log_path = ?4
            WHERE run_id = ?1 AND task_id = ?2
            """);
        using var insertTask = Prepare(db, """
            INSERT INTO tasks (run_id, task_id, ord, definition_hash, state, outcome, attempts, started_at, duration_ms, log_path)
            VALUES (?1, ?2, ?3, ?4, 'finished', 'passed', 1, ?5, 0.001, ?6)
            """);
        using var endRun = Prepare(db, "UPDATE runs SET status = 'passed', ended_at = ?2, n_tasks = ?3, n_passed = ?3 WHERE id = ?1");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long written = 0;

        var start = Measure.Timestamp();
        Step(db, begin);
        Bind(db, insertRun, 1, now);
        Bind(db, insertRun, 2, Environment.ProcessId);
        Check(db, raw.sqlite3_step(insertRun), raw.SQLITE_ROW);
        var runId = raw.sqlite3_column_int64(insertRun, 0);
        Step(db, insertRun);
        Step(db, commit);
        written++;

        if (shape == Shape.DefinitionsThenResults)
        {
            Step(db, begin);
            for (var i = 0; i < rows.TaskIds.Length; i++)
            {
                Bind(db, defineTask, 1, runId);
                Bind(db, defineTask, 2, rows.TaskIds[i]);
                Bind(db, defineTask, 3, i);
                Bind(db, defineTask, 4, rows.Hashes[i]);
                Step(db, defineTask);
            }
            Step(db, commit);
            written += rows.TaskIds.Length;
        }

        for (var first = 0; first < rows.TaskIds.Length; first += BatchTasks)
        {
            Step(db, begin);
            var end = Math.Min(first + BatchTasks, rows.TaskIds.Length);
            for (var i = first; i < end; i++)
            {
                Bind(db, insertAttempt, 1, runId);
                Bind(db, insertAttempt, 2, rows.TaskIds[i]);
                Bind(db, insertAttempt, 3, now);
                Bind(db, insertAttempt, 4, rows.LogPaths[i]);
                Step(db, insertAttempt);
                if (shape == Shape.DefinitionsThenResults)
                {
                    Bind(db, finishTask, 1, runId);
                    Bind(db, finishTask, 2, rows.TaskIds[i]);
                    Bind(db, finishTask, 3, now);
                    Bind(db, finishTask, 4, rows.LogPaths[i]);
                    Step(db, finishTask);
                }
                else
                {
                    Bind(db, insertTask, 1, runId);
                    Bind(db, insertTask, 2, rows.TaskIds[i]);
                    Bind(db, insertTask, 3, i);
                    Bind(db, insertTask, 4, rows.Hashes[i]);
                    Bind(db, insertTask, 5, now);
                    Bind(db, insertTask, 6, rows.LogPaths[i]);
                    Step(db, insertTask);
                }
            }
            Step(db, commit);
            written += 2L * (end - first);
        }

        // The last commit is made to survive a power cut, as the journal's end of run is.
        Exec(db, "PRAGMA synchronous = FULL");
        Step(db, begin);
        Bind(db, endRun, 1, runId);
        Bind(db, endRun, 2, now);
        Bind(db, endRun, 3, rows.TaskIds.Length);
        Step(db, endRun);
        Step(db, commit);
        written++;
        var elapsed = Measure.Since(start);
        return new Sample(elapsed, written);
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement), raw.SQLITE_OK);
        return statement;
    }

    private static void Exec(sqlite3 db, string sql)
    {
        using var statement = Prepare(db, sql);
        var rc = raw.sqlite3_step(statement);
        while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(statement);
        Check(db, rc, raw.SQLITE_DONE);
    }

    private static void Step(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        while (rc == raw.SQLITE_ROW) rc = raw.sqlite3_step(statement);
        Check(db, rc, raw.SQLITE_DONE);
        raw.sqlite3_reset(statement);
    }

    private static void Bind(sqlite3 db, sqlite3_stmt statement, int index, long value) =>
        Check(db, raw.sqlite3_bind_int64(statement, index, value), raw.SQLITE_OK);

    private static void Bind(sqlite3 db, sqlite3_stmt statement, int index, string value) =>
        Check(db, raw.sqlite3_bind_text16(statement, index, value.AsSpan()), raw.SQLITE_OK);

    private static void Check(sqlite3 db, int rc, int expected)
    {
        if (rc != expected) throw new InvalidOperationException($"SQLite returned {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
    }
}
