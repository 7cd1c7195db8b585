namespace Skein.Cli.Tests;

/// <summary>
/// Job files past Skein's limits, through the real skein process: each is a validation error (exit 2) naming the
/// file and position, never a crash, a hang or a stack trace.
/// </summary>
public class JobFileLimitTests
{
    /// <summary>150 KB of flow mappings 30,000 deep: building the tree of it used to overflow the stack.</summary>
    private static string ThirtyThousandDeep() =>
        "name: deep\ntasks:\n  a:\n    run: \"true\"\n    env: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)) + "x" + new string('}', 30_000) + "\n";

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task A_job_file_nested_thirty_thousand_deep_is_a_validation_error_at_its_line(string command)
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", ThirtyThousandDeep());

        var result = await SkeinProcess.RunAsync(dir.Path, command, "job.yaml");

        Assert.True(result.ExitCode == 2, result.ToString()[..Math.Min(result.ToString().Length, 4000)]);
        Assert.Matches(@"job\.yaml:5:\d+: error: mappings and lists are nested deeper than 64 levels", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_its_line_and_column()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("job.yaml"), [.. "name: bytes\ntasks:\n  b"u8, 0xC3, 0x28, .. "uild: { run: \"true\" }\n"u8]);

        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:3:4: error: the file is not valid UTF-8 text here", result.Stderr);
        Assert.DoesNotContain("\uFFFD", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_small_matrix_that_would_make_a_hundred_million_tasks_is_refused_with_the_count()
    {
        using var dir = new TempDirectory();
        var keys = string.Concat(Enumerable.Range(0, 8).Select(k => $"      k{k}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"));
        dir.Write("job.yaml", $"name: boom\ntasks:\n  t:\n    matrix:\n{keys}    run: \"true\"\n");

        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:3:3: error: task 't' would make 100,000,000 tasks", result.Stderr);
    }

    [Fact]
    public async Task Foreach_over_symlink_loops_finishes_with_only_the_real_files()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.txt", "");
        dir.Write("src/sub/b.txt", "");
        Directory.CreateSymbolicLink(dir.File("src/loop1"), "loop2");
        Directory.CreateSymbolicLink(dir.File("src/loop2"), "loop1");
        Directory.CreateSymbolicLink(dir.File("src/sub/again"), "..");
        Directory.CreateSymbolicLink(dir.File("src/sub/up"), "../..");
        dir.Write("job.yaml", "name: files\ntasks:\n  \"lint-{{file.stem}}\": { run: \"true\", foreach: \"src/**/*.txt\" }\n");

        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("lint-a", result.Stdout);
        Assert.Contains("lint-b", result.Stdout);
        Assert.Contains("2 tasks", result.Stdout);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_unreadable_directory_under_a_glob_is_a_validation_error_naming_it()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.txt", "");
        dir.Write("src/locked/b.txt", "");
        dir.Write("job.yaml", "name: files\ntasks:\n  \"lint-{{file.stem}}\": { run: \"true\", foreach: \"src/**/*.txt\" }\n");
        var locked = dir.File("src/locked");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");

            // Root reads any directory, so there is nothing unreadable to report; the walk must still not fail.
            if (Environment.UserName == "root" || IsListable(locked))
            {
                Assert.True(result.ExitCode == 0, result.ToString());
                return;
            }
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"error: foreach of task 'lint-{{{{file.stem}}}}' cannot read the directory {locked}", result.Stderr);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task A_task_needing_what_it_provides_is_reported_as_a_cycle()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: self
            tasks:
              a: { run: "true", provides: [x], needs: [x] }
              b: { run: "true", needs: [b] }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "validate", "job.yaml");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:3:36: error: dependency cycle: a → a", result.Stderr);
        Assert.Contains("job.yaml:4:21: error: dependency cycle: b → b", result.Stderr);
    }

    private static bool IsListable(string directory)
    {
        try
        {
            _ = Directory.GetFileSystemEntries(directory);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
