using System.Globalization;
using Microsoft.Data.Sqlite;
using Skein.Shared.Sqlite;

namespace Skein.Cli.Suites;

/// <summary>One experiment's result in one recorded run, as the results database keeps it.</summary>
internal sealed record RecordedResult(
    long RunId, string ConfigName, DateTimeOffset StartedAt, string? Commit, string Experiment, string Outcome, TimeSpan Duration, string? Reason)
{
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>One <c>skein test</c> run to record: its configuration, when, at which commit, and every experiment's result.</summary>
internal sealed record TestRunRecord(string ConfigName, string ConfigPath, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string? Commit,
    string Status, IReadOnlyList<ExperimentRecord> Experiments);

/// <param name="Tags">The experiment's tags when it ran: what <c>skein test plan</c> reads without a configuration.</param>
internal sealed record ExperimentRecord(string Experiment, string Outcome, TimeSpan Duration, string? Reason, IReadOnlyList<SubResult> SubResults,
    IReadOnlyList<string> Tags);

/// <summary>
/// The results of every <c>skein test</c> run, in a SQLite file beside the embedded cluster's journal
/// (<c>STATE/test/results.db</c>): what <c>skein test history</c> and <c>skein test plan</c> read. The file is marked
/// as Skein's (application_id) and carries its schema version (user_version); any other file is left exactly as it is.
/// Several runs may record at once: WAL, a busy timeout, and one transaction per run.
/// </summary>
internal sealed class TestResultsDatabase : IDisposable
{
    public const string FileName = "results.db";

    /// <summary>"SkTr": tells this file from any other SQLite database.</summary>
    public const int ApplicationId = 0x536B5472;

    public const int SchemaVersion = 1;

    private const int BusyTimeoutMilliseconds = 10_000;

    /// <summary>At most this many characters of a reason or message are kept: a runaway log line must not bloat the file.</summary>
    private const int MaxTextLength = 4000;

    private readonly SqliteConnection _connection;

    private TestResultsDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

    /// <summary>Where the results of runs with state directory <paramref name="stateDirectory"/> are kept.</summary>
    public static string PathIn(string stateDirectory) =>
        System.IO.Path.Combine(System.IO.Path.GetFullPath(stateDirectory), Commands.TestCommand.TestDirectoryName, FileName);

    /// <summary>Opens the database, creating it (and its directory) when it does not exist yet.</summary>
    /// <exception cref="SkeinException">The file is not a Skein results database, is damaged, newer, or cannot be written.</exception>
    public static TestResultsDatabase OpenOrCreate(string path)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"the test results database {path} cannot be created: {e.Message}", e);
        }
        var connection = Open(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            // Checked before anything changes the file: a foreign or newer database stays exactly as it was.
            Inspect(connection, path);
            if (connection.Scalar("PRAGMA journal_mode = WAL") is not string mode || !mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
                throw new SkeinException($"the test results database {path} cannot use write-ahead logging");
            connection.Execute($"""
                BEGIN IMMEDIATE;
                CREATE TABLE IF NOT EXISTS runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    config_name TEXT NOT NULL,
                    config_path TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    commit_id TEXT,
                    status TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS results (
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    experiment TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    reason TEXT,
                    tags TEXT NOT NULL,
                    PRIMARY KEY (run_id, experiment));
                CREATE INDEX IF NOT EXISTS results_by_experiment ON results (experiment, run_id);
                CREATE TABLE IF NOT EXISTS sub_results (
                    run_id INTEGER NOT NULL,
                    experiment TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    message TEXT,
                    PRIMARY KEY (run_id, experiment, position));
                PRAGMA application_id = {ApplicationId};
                PRAGMA user_version = {SchemaVersion};
                COMMIT;
                """);
            return new TestResultsDatabase(path, connection);
        }
        catch (Exception e)
        {
            // The file is left as it is, even one this call created: another run may be creating it at the same moment,
            // and an empty file is a fine start for the next.
            connection.Dispose();
            if (e is SqliteException sqlite) throw Describe(sqlite, path);
            throw;
        }
    }

    /// <summary>Opens an existing database to read; null when no run was recorded there yet.</summary>
    public static TestResultsDatabase? OpenForReading(string path)
    {
        if (!File.Exists(path)) return null;
        var connection = Open(path, SqliteOpenMode.ReadOnly);
        try
        {
            Inspect(connection, path);
            if (!HasTable(connection, "results")) return null;
            return new TestResultsDatabase(path, connection);
        }
        catch (Exception e)
        {
            connection.Dispose();
            if (e is SqliteException sqlite) throw Describe(sqlite, path);
            throw;
        }
    }

    /// <summary>Records one run and its experiments in one transaction; returns the run's id in this database.</summary>
    public long Record(TestRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            long runId;
            using (var insert = _connection.CreateCommand())
            {
                insert.CommandText = """
                    INSERT INTO runs (config_name, config_path, started_at, finished_at, commit_id, status)
                    VALUES ($name, $path, $started, $finished, $commit, $status) RETURNING id
                    """;
                insert.Parameters.AddWithValue("$name", run.ConfigName);
                insert.Parameters.AddWithValue("$path", run.ConfigPath);
                insert.Parameters.AddWithValue("$started", run.StartedAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$finished", run.FinishedAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$commit", (object?)run.Commit ?? DBNull.Value);
                insert.Parameters.AddWithValue("$status", run.Status);
                runId = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            using var result = _connection.CreateCommand();
            result.CommandText = "INSERT OR REPLACE INTO results (run_id, experiment, outcome, duration_ms, reason, tags) VALUES ($run, $id, $outcome, $ms, $reason, $tags)";
            var (rRun, rId, rOutcome, rMs, rReason) = (result.Parameters.Add("$run", SqliteType.Integer), result.Parameters.Add("$id", SqliteType.Text),
                result.Parameters.Add("$outcome", SqliteType.Text), result.Parameters.Add("$ms", SqliteType.Integer), result.Parameters.Add("$reason", SqliteType.Text));
            var rTags = result.Parameters.Add("$tags", SqliteType.Text);
            using var sub = _connection.CreateCommand();
            sub.CommandText = "INSERT OR REPLACE INTO sub_results (run_id, experiment, position, name, outcome, message) VALUES ($run, $id, $position, $name, $outcome, $message)";
            var (sRun, sId, sPosition, sName, sOutcome, sMessage) = (sub.Parameters.Add("$run", SqliteType.Integer), sub.Parameters.Add("$id", SqliteType.Text),
                sub.Parameters.Add("$position", SqliteType.Integer), sub.Parameters.Add("$name", SqliteType.Text), sub.Parameters.Add("$outcome", SqliteType.Text),
                sub.Parameters.Add("$message", SqliteType.Text));
            foreach (var experiment in run.Experiments)
            {
                rRun.Value = runId;
                rId.Value = experiment.Experiment;
                rOutcome.Value = experiment.Outcome;
                rMs.Value = (long)experiment.Duration.TotalMilliseconds;
                rReason.Value = (object?)Bounded(experiment.Reason) ?? DBNull.Value;
                rTags.Value = string.Join('\n', experiment.Tags);
                result.ExecuteNonQuery();
                for (var i = 0; i < experiment.SubResults.Count; i++)
                {
                    sRun.Value = runId;
                    sId.Value = experiment.Experiment;
                    sPosition.Value = i;
                    sName.Value = Bounded(experiment.SubResults[i].Name);
                    sOutcome.Value = experiment.SubResults[i].Outcome.ToWireName();
                    sMessage.Value = (object?)Bounded(experiment.SubResults[i].Message) ?? DBNull.Value;
                    sub.ExecuteNonQuery();
                }
            }
            transaction.Commit();
            return runId;
        }
        catch (SqliteException e)
        {
            throw Describe(e, Path);
        }
    }

    /// <summary>
    /// Each experiment's results in its latest <paramref name="last"/> recorded runs (of configuration
    /// <paramref name="configName"/> when given), newest first per experiment.
    /// </summary>
    public List<RecordedResult> Latest(int last, string? configName)
    {
        var results = new List<RecordedResult>();
        try
        {
            using var query = _connection.CreateCommand();
            query.CommandText = """
                SELECT run_id, config_name, started_at, commit_id, experiment, outcome, duration_ms, reason, tags FROM (
                    SELECT r.run_id, u.config_name, u.started_at, u.commit_id, r.experiment, r.outcome, r.duration_ms, r.reason, r.tags,
                           ROW_NUMBER() OVER (PARTITION BY r.experiment ORDER BY r.run_id DESC) AS n
                    FROM results r JOIN runs u ON u.id = r.run_id
                    WHERE $config IS NULL OR u.config_name = $config)
                WHERE n <= $last
                ORDER BY experiment, run_id DESC
                """;
            query.Parameters.AddWithValue("$config", (object?)configName ?? DBNull.Value);
            query.Parameters.AddWithValue("$last", last);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                results.Add(new RecordedResult(
                    reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    TimeSpan.FromMilliseconds(reader.GetInt64(6)), reader.IsDBNull(7) ? null : reader.GetString(7))
                {
                    Tags = reader.GetString(8).Split('\n', StringSplitOptions.RemoveEmptyEntries),
                });
            }
        }
        catch (SqliteException e)
        {
            throw Describe(e, Path);
        }
        return results;
    }

    public void Dispose() => _connection.Dispose();

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            // Pooling would keep the file open after Dispose.
            Pooling = false,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString());
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Describe(e, path);
        }
    }

    /// <summary>Fails unless the file is empty or a results database of a schema this Skein reads.</summary>
    private static void Inspect(SqliteConnection connection, string path)
    {
        // One read transaction: another run may be creating the file at this moment, and three separate reads could
        // see its tables without the application id it sets in the same commit.
        long applicationId, version, tables;
        connection.Execute("BEGIN");
        try
        {
            applicationId = Convert.ToInt64(connection.Scalar("PRAGMA application_id"), CultureInfo.InvariantCulture);
            version = Convert.ToInt64(connection.Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            tables = Convert.ToInt64(connection.Scalar("SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture);
        }
        finally
        {
            connection.Execute("COMMIT");
        }
        if (applicationId == 0 && version == 0 && tables == 0) return;
        if (applicationId != ApplicationId)
            throw new SkeinException($"{path} is not a Skein test results database (it is another SQLite database); move it away or use another --state");
        if (version > SchemaVersion)
            throw new SkeinException($"the test results database {path} was written by a newer Skein (schema {version}; this one reads up to {SchemaVersion})");
    }

    private static bool HasTable(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static SkeinException Describe(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_NOTADB => new SkeinException($"{path} is not a Skein test results database: it is not a SQLite database; move it away or use another --state", e),
        SQLitePCL.raw.SQLITE_CORRUPT => new SkeinException($"the test results database {path} is damaged: {e.Message}", e),
        SQLitePCL.raw.SQLITE_FULL => new SkeinException($"the test results database {path} cannot be written: the disk is full", e),
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => new SkeinException($"the test results database {path} stayed locked by another process: {e.Message}", e),
        _ => new SkeinException($"the test results database {path} failed: {e.Message}", e),
    };

    private static string? Bounded(string? text) => text is { Length: > MaxTextLength } ? text[..MaxTextLength] + "…" : text;
}
