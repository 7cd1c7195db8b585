namespace Skein.Cli.Tests;

public class BadInputTests
{
    [Fact]
    public async Task A_missing_file_is_exit_2_naming_the_file()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "nope.yaml");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("nope.yaml", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
    }

    [Fact]
    public async Task A_yaml_syntax_error_gives_line_and_column()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: broken\ntasks:\n  a: { run: \"true\"\n  b: [\n");
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches(@"job\.yaml:\d+:\d+", result.Stderr);
    }

    [Fact]
    public async Task Every_validation_problem_is_reported_at_once()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: invalid
            tasks:
              a: { run: "true", needs: [b] }
              b: { run: "true", needs: [a] }
              c: { run: "true", needs: [nowhere] }
              d: { run: "true", timeout: soon }
              e: { run: "true", colour: blue }
            """);
        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches("(a → b → a|b → a → b)", result.Stderr);
        Assert.Contains("nowhere", result.Stderr);
        Assert.Contains("soon", result.Stderr);
        Assert.Contains("colour", result.Stderr);
        Assert.Contains("job.yaml:5:", result.Stderr); // the unknown need's line
    }

    [Fact]
    public async Task An_unknown_option_is_exit_2()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--frobnicate");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--frobnicate", result.Stderr);
    }

    [Fact]
    public async Task A_state_directory_that_cannot_be_written_is_exit_2_and_nothing_runs()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: s\ntasks:\n  a: { run: \"touch ran\" }\n");
        dir.Write("not-a-dir", "a file where the state directory should go");
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", "not-a-dir/state");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("not-a-dir", result.Stderr);
        Assert.False(File.Exists(dir.File("ran")));
    }

    [Fact]
    public async Task Validate_prints_the_plan_in_layers()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: layered
            tasks:
              fetch: { run: "true" }
              build: { run: "true", needs: [fetch] }
              lint: { run: "true", needs: [fetch] }
              ship: { run: "true", needs: [build, lint] }
            """);
        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("layer 1: fetch", result.Stdout);
        Assert.Contains("layer 2: build, lint", result.Stdout);
        Assert.Contains("layer 3: ship", result.Stdout);
    }

    [Fact]
    public async Task A_journal_from_a_newer_skein_is_refused_with_exit_2_and_left_alone()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: j\ntasks:\n  a: { run: \"touch ran\" }\n");
        Assert.Equal(0, (await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml")).ExitCode);
        File.Delete(dir.File("ran"));

        var journal = dir.File(".skein/journal.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = "UPDATE meta SET value = '99' WHERE key = 'format_version'";
            Assert.Equal(1, bump.ExecuteNonQuery());
        }

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("format version 99", result.Stderr);
        Assert.False(File.Exists(dir.File("ran")), "a task ran although the journal was refused");
        var runs = await SkeinProcess.RunAsync(dir.Path, "runs");
        Assert.Equal(2, runs.ExitCode);
    }
}
