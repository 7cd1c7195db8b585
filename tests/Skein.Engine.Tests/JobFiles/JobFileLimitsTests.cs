using System.Text;
using Skein.Engine.JobFiles;
using Skein.Yaml;
using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>
/// The bounds a job file is read within (docs/job-files.md, "Limits"): each refusal is an error naming the place
/// and the number, found before the work it bounds is done.
/// </summary>
public sealed class JobFileLimitsTests
{
    /// <summary>A job whose one task has a description of flow lists, <paramref name="depth"/> levels deep in all.</summary>
    private static string Nested(int depth) =>
        "name: n\ntasks:\n  a: { run: x, description: " + new string('[', depth - 3) + new string(']', depth - 3) + " }\n";

    [Fact]
    public void Nesting_past_the_limit_is_an_error_at_the_first_level_too_deep()
    {
        var result = Parse(Nested(YamlLimits.MaxDepth + 1));

        Assert.Null(result.Job);
        // The root, 'tasks' and task 'a' are three levels; the lists start in column 29.
        Error(result, 3, 29 + YamlLimits.MaxDepth - 3, $"nested deeper than {YamlLimits.MaxDepth} levels");
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        var result = Parse(Nested(YamlLimits.MaxDepth));

        Assert.DoesNotContain(result.Problems, p => p.Message.Contains("nested deeper", StringComparison.Ordinal));
        Error(result, 3, 29, "'description' of task 'a' must be text");
    }

    [Fact]
    public void Thirty_thousand_levels_of_flow_mappings_are_refused_without_building_them()
    {
        var yaml = "name: n\ntasks:\n  a: " + string.Concat(Enumerable.Repeat("{a: ", 30_000)) + "x" + new string('}', 30_000) + "\n";

        var result = Parse(yaml);

        Assert.Null(result.Job);
        Assert.Contains(result.Problems, p => p.Message.Contains("nested deeper than 64", StringComparison.Ordinal) && p.Location?.Line == 3);
    }

    [Fact]
    public void A_key_left_empty_is_a_syntax_error_with_a_position_not_a_crash()
    {
        var result = Parse("  : x\n");

        Assert.Null(result.Job);
        Error(result, 2, 1, "YAML syntax error", "is a key missing before a ':'?");
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused_before_parsing()
    {
        var result = Parse("name: n\n#" + new string('x', YamlLimits.MaxBytes) + "\n");

        Assert.Null(result.Job);
        Error(result, 1, 1, "longer than 4 Mi characters");
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("big.yaml", "name: n\n#" + new string('x', YamlLimits.MaxBytes) + "\n");

        var result = JobFileLoader.Load(path);

        Assert.Null(result.Job);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("larger than 4 MiB", problem.Message);
        Assert.Equal(new SourceLocation(path, 1, 1), problem.Location);
    }

    [Fact]
    public void Invalid_utf8_in_a_file_is_refused_with_its_line_and_column()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "job.yaml");
        File.WriteAllBytes(path, [.. "name: n\ntasks:\n  bü"u8, 0xFF, .. "ild: { run: make }\n"u8]);

        var result = JobFileLoader.Load(path);

        Assert.Null(result.Job);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("not valid UTF-8", problem.Message);
        Assert.Equal(new SourceLocation(path, 3, 5), problem.Location);
    }

    [Fact]
    public void A_byte_order_mark_is_still_read()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "job.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "name: n\ntasks:\n  bü: { run: make }\n"u8]);
        File.WriteAllBytes(Path.Combine(dir.Path, "utf16.yaml"), Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("name: n\ntasks:\n  b: { run: make }\n")).ToArray());

        Assert.Equal(["bü"], JobFileLoader.Load(path).Job!.Tasks.Select(t => t.Id));
        Assert.Equal(["b"], JobFileLoader.Load(Path.Combine(dir.Path, "utf16.yaml")).Job!.Tasks.Select(t => t.Id));
    }

    [Fact]
    public void A_matrix_of_a_few_hundred_bytes_that_would_make_a_hundred_million_tasks_is_refused_with_the_count()
    {
        var values = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        var keys = string.Join("\n", Enumerable.Range(0, 8).Select(k => $"      k{k}: {values}"));
        var result = Parse($"name: n\ntasks:\n  t:\n    matrix:\n{keys}\n    run: x\n");

        var problem = Error(result, 3, 3, "task 't' would make 100,000,000 tasks", "a factory makes at most 10,000");
        Assert.Contains("10 values of 'k0' × 10 values of 'k1'", problem.Message);
        Assert.Empty(result.Job!.Tasks);
    }

    [Fact]
    public void A_factory_just_past_the_limit_is_refused_and_one_at_it_is_made()
    {
        string Matrix(int a, int b) =>
            $"[{string.Join(",", Enumerable.Range(0, a))}]\n      b: [{string.Join(",", Enumerable.Range(0, b))}]";

        var over = Parse($"name: n\ntasks:\n  t-{{{{matrix.a}}}}-{{{{matrix.b}}}}:\n    matrix:\n      a: {Matrix(101, 100)}\n    run: x\n");
        var at = Parse($"name: n\ntasks:\n  t-{{{{matrix.a}}}}-{{{{matrix.b}}}}:\n    matrix:\n      a: {Matrix(100, 100)}\n    run: x\n");

        Error(over, 3, 3, "would make 10,100 tasks (101 values of 'a' × 100 values of 'b')");
        Assert.Empty(at.Problems);
        Assert.Equal(JobLimits.MaxCopiesPerFactory, at.Job!.Tasks.Count);
    }

    [Fact]
    public void Too_many_matrix_keys_or_values_are_refused_where_they_are()
    {
        var keys = string.Join(", ", Enumerable.Range(0, JobLimits.MaxMatrixKeys + 1).Select(k => $"k{k}: [1]"));
        var values = string.Join(",", Enumerable.Range(0, JobLimits.MaxMatrixValues + 1));

        Error(Parse($"name: n\ntasks:\n  t:\n    matrix: {{ {keys} }}\n    run: x\n"), 4, 13, "has 17 keys; a matrix has at most 16");
        Error(Parse($"name: n\ntasks:\n  t:\n    matrix: {{ v: [{values}] }}\n    run: x\n"), 4, 18, "matrix key 'v' in task 't' has 1001 values; a matrix key has at most 1000");
    }

    [Fact]
    public void A_job_file_past_the_task_limit_names_the_task_that_would_cross_it()
    {
        var hundred = $"[{string.Join(",", Enumerable.Range(0, 100))}]";
        var factories = string.Concat(Enumerable.Range(0, JobLimits.MaxTasks / JobLimits.MaxCopiesPerFactory).Select(f =>
            $"  f{f}-{{{{matrix.a}}}}-{{{{matrix.b}}}}: {{ run: x, matrix: {{ a: {hundred}, b: {hundred} }} }}\n"));

        var result = Parse($"name: n\ntasks:\n{factories}  one-more: {{ run: x }}\n  and-another: {{ run: x }}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("task 'one-more' would take the job past 100,000 tasks, the most a job file makes (1 more); split the job", problem.Message);
        Assert.Equal(JobLimits.MaxTasks, result.Job!.Tasks.Count);
    }

    [Fact]
    public void Foreach_does_not_enter_symlinked_directories_unless_asked()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.txt");
        dir.Write("src/sub/b.txt");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "src", "sub", "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "src", "loop1"), "loop2");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "src", "loop2"), "loop1");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "src", "elsewhere"), Path.Combine(dir.Path, "other"));
        dir.Write("other/c.txt");

        var job = Valid("name: n\ntasks:\n  \"{{file.stem}}\": { run: x, foreach: \"src/**/*.txt\" }\n", dir.Path);
        Assert.Equal(["a", "b"], job.Tasks.Select(t => t.Id));

        var followed = Valid("name: n\ntasks:\n  \"{{file.stem}}\": { run: x, foreach: \"src/elsewhere/*.txt\", follow-symlinks: true }\n", dir.Path);
        Assert.Equal(["c"], followed.Tasks.Select(t => t.Id));
    }

    [Fact]
    public void A_followed_symlink_that_leads_back_up_is_a_loop_error_naming_it()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.txt");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "src", "up"), "..");

        var result = Parse("name: n\ntasks:\n  \"{{file.stem}}\": { run: x, foreach: \"**/*.txt\", follow-symlinks: true }\n", dir.Path);

        var problem = Error(result, 3, 39, "foreach of task '{{file.stem}}' the symlink", "(a loop)");
        Assert.Contains(Path.Combine(dir.Path, "src", "up"), problem.Message);
        Assert.Empty(result.Job!.Tasks);
    }

    [Fact]
    public void Follow_symlinks_without_foreach_or_not_a_boolean_is_an_error()
    {
        Error(Parse("name: n\ntasks:\n  a: { run: x, follow-symlinks: true }\n"), 3, 16, "'follow-symlinks' of task 'a' only applies to 'foreach'");
        Error(Parse("name: n\ntasks:\n  a: { run: x, foreach: \"*.c\", follow-symlinks: sometimes }\n"), 3, 49, "must be true or false, not 'sometimes'");
    }

    [Fact]
    public void A_glob_past_the_directory_depth_limit_is_an_error_naming_where()
    {
        using var dir = new TempDirectory();
        var deep = string.Join('/', Enumerable.Repeat("d", JobLimits.MaxGlobDepth + 1));
        dir.Write(deep + "/x.txt");

        var result = Parse("name: n\ntasks:\n  \"{{file.stem}}\": { run: x, foreach: \"**/*.txt\" }\n", dir.Path);

        var problem = Error(result, 3, 39, "goes more than 32 directories deep (the limit) at");
        Assert.Contains(Path.Combine(dir.Path, deep.Replace('/', Path.DirectorySeparatorChar)), problem.Message);
        Assert.Empty(result.Job!.Tasks);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void An_unreadable_directory_under_a_glob_is_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        dir.Write("src/a.txt");
        var locked = Path.GetDirectoryName(dir.Write("src/locked/b.txt"))!;
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            // Root reads any directory: there is then nothing unreadable to report.
            Assert.SkipWhen(CanList(locked), "the directory stays readable (running as root)");

            var result = Parse("name: n\ntasks:\n  \"{{file.stem}}\": { run: x, foreach: \"src/**/*.txt\" }\n", dir.Path);

            var problem = Error(result, 3, 39, "cannot read the directory");
            Assert.Contains(locked, problem.Message);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool CanList(string directory)
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
