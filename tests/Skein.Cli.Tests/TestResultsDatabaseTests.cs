using Microsoft.Data.Sqlite;
using Skein.Cli.Suites;

namespace Skein.Cli.Tests;

/// <summary>The results database of <c>skein test</c> and what <c>history</c> and <c>plan</c> make of it, in process.</summary>
public class TestResultsDatabaseTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static TestRunRecord Run(int n, params (string Id, string Outcome, int Ms)[] results) => new(
        "nightly", "/suites/nightly.yaml", Start.AddHours(n), Start.AddHours(n).AddMinutes(1), "abc123", "passed",
        results.Select(r => new ExperimentRecord(r.Id, r.Outcome, TimeSpan.FromMilliseconds(r.Ms), r.Outcome == "passed" ? null : "exit code 1",
            [new SubResult("case", Outcome.Passed)], ["REQ-1", "TC-9", "smoke"])).ToList());

    [Fact]
    public void Pass_rates_durations_and_flakiness_come_from_each_experiments_latest_runs()
    {
        using var dir = new TempDirectory();
        var path = TestResultsDatabase.PathIn(dir.File("state"));
        using (var database = TestResultsDatabase.OpenOrCreate(path))
        {
            // Oldest first: "steady" always passes; "flaky" failed in run 2 only; "broken" fails but once timed out.
            database.Record(Run(1, ("a::steady", "passed", 100), ("a::flaky", "passed", 10), ("a/b::broken", "failed", 5)));
            database.Record(Run(2, ("a::steady", "passed", 300), ("a::flaky", "failed", 30), ("a/b::broken", "timed out", 7)));
            database.Record(Run(3, ("a::steady", "passed", 200), ("a::flaky", "passed", 20), ("a/b::broken", "failed", 9)));
            database.Record(Run(4, ("a::steady", "skipped", 0), ("a::flaky", "passed", 40), ("a/b::broken", "expected failure", 11)));
        }

        using var reading = TestResultsDatabase.OpenForReading(path)!;
        var all = TestHistory.Summarize(reading.Latest(10, "nightly")).ToDictionary(h => h.Experiment);
        Assert.Equal(4, all["a::steady"].Runs);
        Assert.Equal(1.0, all["a::steady"].PassRate);
        Assert.Equal(TimeSpan.FromMilliseconds(200), all["a::steady"].MedianDuration); // skipped runs have no duration to count
        Assert.Equal(TimeSpan.FromMilliseconds(200), all["a::steady"].LastDuration);
        Assert.Equal("skipped", all["a::steady"].LastOutcome);
        Assert.False(all["a::steady"].Flaky);
        Assert.True(all["a::flaky"].Flaky);
        Assert.Equal(0.75, all["a::flaky"].PassRate);
        Assert.Equal("75% (3/4)", Skein.Cli.Commands.TestHistoryCommand.PassRateText(all["a::flaky"]));
        Assert.Equal(TimeSpan.FromMilliseconds(25), all["a::flaky"].MedianDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(40), all["a::flaky"].LastDuration);
        // A failure the configuration came to expect counts as going well: broken went both ways.
        Assert.True(all["a/b::broken"].Flaky);

        // The window is per experiment: in the last two runs flaky only passed.
        var recent = TestHistory.Summarize(reading.Latest(2, null)).ToDictionary(h => h.Experiment);
        Assert.False(recent["a::flaky"].Flaky);
        Assert.Equal(2, recent["a::flaky"].Runs);
        Assert.Equal(["REQ-1", "TC-9", "smoke"], reading.Latest(1, null)[0].Tags);
        Assert.Empty(reading.Latest(10, "another config"));
    }

    [Fact]
    public void Names_are_experiments_and_every_suite_above_them()
    {
        Assert.Equal(["a", "a/b", "a/b/c", "a/b/c::x", "a::y"], TestHistory.Names(["a/b/c::x", "a::y"]));
        Assert.True(TestHistory.Matches("a/b/c::x", "a/b"));
        Assert.True(TestHistory.Matches("a/b/c::x", "a/b/c::x"));
        Assert.False(TestHistory.Matches("a/bc::x", "a/b"));
    }

    [Fact]
    public void Runs_recorded_at_once_from_several_connections_are_all_kept()
    {
        using var dir = new TempDirectory();
        var path = TestResultsDatabase.PathIn(dir.Path);
        Parallel.For(0, 8, n =>
        {
            using var database = TestResultsDatabase.OpenOrCreate(path);
            database.Record(Run(n, ("a::x", n % 2 == 0 ? "passed" : "failed", n)));
        });
        using var reading = TestResultsDatabase.OpenForReading(path)!;
        var history = Assert.Single(TestHistory.Summarize(reading.Latest(100, null)));
        Assert.Equal(8, history.Runs);
        Assert.Equal(4, history.Good);
    }

    [Fact]
    public void A_foreign_or_damaged_file_is_refused_by_name_and_left_as_it_was()
    {
        using var dir = new TempDirectory();
        var text = dir.Write("state/test/results.db", "not a database at all, but someone's notes\n");
        var before = File.ReadAllBytes(text);
        var notSqlite = Assert.Throws<SkeinException>(() => TestResultsDatabase.OpenOrCreate(text));
        Assert.Contains(text, notSqlite.Message);
        Assert.Contains("not a Skein test results database", notSqlite.Message);
        Assert.Throws<SkeinException>(() => TestResultsDatabase.OpenForReading(text));
        Assert.Equal(before, File.ReadAllBytes(text));

        var foreign = dir.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={foreign};Pooling=false"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');";
            create.ExecuteNonQuery();
        }
        var foreignBefore = File.ReadAllBytes(foreign);
        var other = Assert.Throws<SkeinException>(() => TestResultsDatabase.OpenOrCreate(foreign));
        Assert.Contains("is not a Skein test results database", other.Message);
        Assert.Equal(foreignBefore, File.ReadAllBytes(foreign));

        var newer = dir.File("newer.db");
        using (var database = TestResultsDatabase.OpenOrCreate(newer)) database.Record(Run(1, ("a::x", "passed", 1)));
        using (var connection = new SqliteConnection($"Data Source={newer};Pooling=false"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = $"PRAGMA user_version = {TestResultsDatabase.SchemaVersion + 1}";
            bump.ExecuteNonQuery();
        }
        Assert.Contains("newer Skein", Assert.Throws<SkeinException>(() => TestResultsDatabase.OpenOrCreate(newer)).Message);
    }

    [Fact]
    public void The_plan_groups_experiments_under_the_requirements_their_tags_name()
    {
        Assert.Equal("R7", TestTags.Requirement("req:R7"));
        Assert.Equal("REQ-12", TestTags.Requirement("REQ-12"));
        Assert.Null(TestTags.Requirement("smoke"));
        Assert.Equal("TC-4", TestTags.TestCase("TC-4"));
        Assert.Equal("D2", TestTags.Design("design:D2"));

        var last = new RecordedResult(5, "nightly", Start, "0123456789abcdef", "s::login", "failed", TimeSpan.FromSeconds(1), "exit code 1");
        var rows = TestPlan.Build(
            [
                new PlannedExperiment("s::login", "logs in, | piped", ["REQ-2", "req:R1", "TC-4", "DES-3"]),
                new PlannedExperiment("s::other", null, ["smoke"]),
                new PlannedExperiment("s::logout", "logs out", ["REQ-2"]),
            ],
            new Dictionary<string, RecordedResult> { ["s::login"] = last });
        Assert.Equal(
            [("R1", "s::login", "failed"), ("REQ-2", "s::login", "failed"), ("REQ-2", "s::logout", "not run"), ("", "s::other", "not run")],
            rows.Select(r => (r.Requirement, r.Experiment.Id, r.LastOutcome)).ToList());

        var markdown = new StringWriter();
        TestPlan.WriteMarkdown("nightly", rows, markdown);
        var md = markdown.ToString();
        Assert.Contains("## REQ-2", md);
        Assert.Contains("| s::login | logs in, \\| piped | DES-3 | TC-4 | failed | 2026-03-01 12:00 UTC at 0123456789ab |", md);
        Assert.Contains("## Experiments naming no requirement", md);
        var csv = new StringWriter();
        TestPlan.WriteCsv(rows, csv);
        Assert.Contains("REQ-2,s::login,\"logs in, | piped\",DES-3,TC-4,failed,5,2026-03-01T12:00:00Z,0123456789abcdef", csv.ToString());
    }
}
