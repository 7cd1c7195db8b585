using Skein.Engine.JobFiles;
using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>Every kind of mistake is reported with a message that names it and the line and column where it is.</summary>
public sealed class JobFileErrorTests
{
    [Fact]
    public void Missing_file_is_a_problem_not_an_exception()
    {
        var path = Path.Combine(Path.GetTempPath(), "skein-jobfile-tests", Guid.NewGuid().ToString("N"), "missing.yaml");

        var result = JobFileLoader.Load(path);

        Assert.Null(result.Job);
        Assert.True(result.HasErrors);
        var problem = Assert.Single(result.Problems);
        Assert.Equal($"file not found: {path}", problem.Message);
    }

    [Fact]
    public void Unreadable_file_is_a_problem_not_an_exception()
    {
        using var dir = new TempDirectory();

        var result = JobFileLoader.Load(dir.Path);

        Assert.Null(result.Job);
        Assert.StartsWith($"cannot read {dir.Path}", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_error_has_the_parser_position_and_no_job()
    {
        var result = Parse("""
            name: n
            tasks:
              a:
                run: [unclosed
            """);

        Assert.Null(result.Job);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith("YAML syntax error: ", problem.Message, StringComparison.Ordinal);
        Assert.Equal(FileName, problem.Location!.Value.File);
        Assert.True(problem.Location.Value.Line >= 4, problem.ToString());
    }

    [Fact]
    public void Tab_indentation_is_a_syntax_error_at_the_tab()
    {
        var result = Parse("name: n\ntasks:\n  a:\n\trun: x\n");

        Assert.Null(result.Job);
        Assert.Equal(At(4, 1), Assert.Single(result.Problems).Location);
    }

    [Fact]
    public void Empty_file_and_non_mapping_root_are_errors()
    {
        var empty = Parse("");
        Assert.Null(empty.Job);
        Error(empty, 1, 1, "the job file is empty");

        var list = Parse("- a\n- b\n");
        Assert.Null(list.Job);
        Error(list, 1, 1, "a job file is a mapping", "not a list");
    }

    [Fact]
    public void Several_documents_are_an_error_at_the_second()
    {
        var result = Parse("name: n\ntasks: { a: { run: x } }\n---\nname: m\n");

        Error(result, 4, 1, "one YAML document");
    }

    [Fact]
    public void Missing_name_and_missing_tasks_are_reported_together_at_the_top()
    {
        var result = Parse("version: 1\n");

        Error(result, 1, 1, "missing 'name'");
        Error(result, 1, 1, "missing 'tasks'");
        Assert.Equal(2, result.Problems.Count);
        Assert.Equal("job", result.Job!.Name); // a stand-in from the file name, so the rest can still be checked
    }

    [Fact]
    public void Empty_name_and_empty_tasks_are_errors()
    {
        var result = Parse("name:\ntasks: {}\n");

        Error(result, 1, 1, "'name' is empty");
        Error(result, 2, 1, "'tasks' is empty");
    }

    [Fact]
    public void Tasks_with_no_value_is_empty()
    {
        var result = Parse("name: n\ntasks:\n");

        Error(result, 2, 1, "'tasks' is empty");
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Tasks_written_as_a_list_is_an_error()
    {
        var result = Parse("""
            name: n
            tasks:
              - run: x
            """);

        Error(result, 3, 3, "'tasks' must be a mapping", "not a list");
    }

    [Fact]
    public void Other_versions_are_rejected()
    {
        var result = Parse("version: 2\nname: n\ntasks: { a: { run: x } }");

        Error(result, 1, 10, "this Skein reads job format version 1, not '2'");
    }

    [Fact]
    public void Missing_and_empty_run_are_errors_at_the_task_or_key()
    {
        var result = Parse("""
            name: n
            tasks:
              build:
                needs: [x]
              empty:
                run:
              blank:
                run: "  "
              bare:
              shorthand: make all
            """);

        Error(result, 3, 3, "task 'build' has no 'run'");
        Error(result, 6, 5, "'run' of task 'empty' is empty");
        Error(result, 8, 10, "'run' of task 'blank' is empty");
        Error(result, 9, 3, "task 'bare' is empty");
        Error(result, 10, 14, "task 'shorthand' must be a mapping", "(write 'run: make all')");
        Assert.Equal(5, result.Problems.Count);
        // Broken tasks stay in the job, so graph validation does not also report them as unknown needs.
        Assert.Equal(["build", "empty", "blank", "bare", "shorthand"], result.Job!.Tasks.Select(t => t.Id));
    }

    [Fact]
    public void Unknown_keys_are_reported_in_every_place_with_the_closest_known_key()
    {
        var result = Parse("""
            name: n
            taks: {}
            defaults:
              timout: 5m
            groups:
              heavy: { worker: 2 }
            tasks:
              build:
                run: make
                neds: [x]
                colour: blue
            """);

        Error(result, 2, 1, "unknown key 'taks' at the top level (did you mean 'tasks'?)");
        Error(result, 4, 3, "unknown key 'timout' in defaults (did you mean 'timeout'?)");
        Error(result, 6, 12, "unknown key 'worker' in group 'heavy' (did you mean 'workers'?)");
        Error(result, 10, 5, "unknown key 'neds' in task 'build' (did you mean 'needs'?)");
        Error(result, 11, 5, "unknown key 'colour' in task 'build' (expected one of: run, needs,");
    }

    [Fact]
    public void A_task_key_in_defaults_is_unknown_there()
    {
        var result = Parse("name: n\ndefaults:\n  needs: [a]\ntasks: { a: { run: x } }");

        Error(result, 3, 3, "unknown key 'needs' in defaults", "timeout, retries, workdir, env, kill-grace");
    }

    [Fact]
    public void Wrong_types_are_reported_at_the_value()
    {
        var result = Parse("""
            name: n
            tasks:
              a:
                run: x
                retries: many
                needs: {a: 1}
                priority: high
                timeout: []
                provides: [[web]]
                env: [A]
                group: {g: 1}
                warn-exit-codes: [x, 300]
            """);

        Error(result, 5, 14, "'retries' of task 'a' must be a whole number, not 'many'");
        Error(result, 6, 12, "'needs' of task 'a' must be a name or a list of names, not a mapping");
        Error(result, 7, 15, "'priority' of task 'a' must be a whole number, not 'high'");
        Error(result, 8, 14, "'timeout' of task 'a' must be a duration", "not a list");
        Error(result, 9, 16, "an entry of 'provides' of task 'a' must be a name, not a list");
        Error(result, 10, 10, "'env' of task 'a' must be a mapping such as { NAME: value }, not a list");
        Error(result, 11, 12, "'group' of task 'a' must be text, not a mapping");
        Error(result, 12, 23, "an entry of 'warn-exit-codes' of task 'a' must be a whole number, not 'x'");
        Error(result, 12, 26, "must be at most 255, not 300");
        Assert.Equal(9, result.Problems.Count);
    }

    [Fact]
    public void Bad_durations_are_errors_at_the_value_with_a_hint()
    {
        var result = Parse("""
            name: n
            defaults:
              timeout: 30
              kill-grace: soon
            tasks:
              a:
                run: x
                timeout: 0s
                kill-grace: 1x
            """);

        Error(result, 3, 12, "'timeout' in defaults must be a duration such as 500ms, 30s, 5m, 1h or 1m30s, not '30' (did you mean '30s'?)");
        Error(result, 4, 15, "'kill-grace' in defaults must be a duration", "not 'soon'");
        Error(result, 8, 14, "'timeout' of task 'a' must be longer than zero");
        Error(result, 9, 17, "'kill-grace' of task 'a' must be a duration", "not '1x'");
    }

    [Fact]
    public void Negative_retries_are_an_error()
    {
        var result = Parse("name: n\ndefaults: { retries: -1 }\ntasks: { a: { run: x, retries: -2 } }");

        Error(result, 2, 22, "'retries' in defaults must be at least 0, not -1");
        Error(result, 3, 32, "'retries' of task 'a' must be at least 0, not -2");
    }

    [Fact]
    public void Bad_group_declarations_are_errors_but_the_group_is_still_declared()
    {
        var result = Parse("""
            name: n
            groups:
              none: { workers: 0 }
              text: many
              list: [1]
              words: { workers: lots }
            tasks:
              a: { run: x, group: none }
            """);

        Error(result, 3, 20, "'workers' of group 'none' must be at least 1, not 0");
        Error(result, 4, 9, "group 'text' must be a mapping such as { workers: 2 }, not 'many'");
        Error(result, 5, 9, "group 'list' must be a mapping", "not a list");
        Error(result, 6, 21, "'workers' of group 'words' must be a whole number, not 'lots'");
        // Still declared (with one worker), so task 'a' is not also reported as naming an undeclared group.
        Assert.Equal(["list", "none", "text", "words"], result.Job!.Groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, result.Job.Groups["none"].Workers);
    }

    [Fact]
    public void Groups_and_defaults_of_the_wrong_shape_are_errors()
    {
        var result = Parse("name: n\ngroups: [heavy]\ndefaults: 5m\ntasks: { a: { run: x } }");

        Error(result, 2, 9, "'groups' must be a mapping", "not a list");
        Error(result, 3, 11, "'defaults' must be a mapping", "not '5m'");
    }

    [Fact]
    public void Duplicate_yaml_keys_are_errors_and_the_first_one_counts()
    {
        var result = Parse("""
            name: n
            tasks:
              a:
                run: first
                run: second
              a:
                run: other
            """);

        Error(result, 5, 5, "duplicate key 'run': already given at job.yaml:4:5");
        Error(result, 6, 3, "duplicate key 'a': already given at job.yaml:3:3");
        Assert.Equal("first", Command(result.Job!, "a").Command);
        Assert.Single(result.Job!.Tasks);
    }

    [Fact]
    public void Every_problem_in_a_file_is_reported_at_once_in_file_order()
    {
        var result = Parse("""
            name: n
            tasks:
              a:
                run: x
                retries: many
              b:
                timeout: forever
            """);

        Assert.Equal(
            [At(5, 14), At(6, 3), At(7, 14)],
            result.Problems.Select(p => p.Location!.Value));
        Assert.NotNull(result.Job);
        Assert.Equal(2, result.Job.Tasks.Count);
    }

    [Fact]
    public void Bad_environment_variable_names_are_errors()
    {
        var result = Parse("name: n\ntasks: { a: { run: x, env: { \"A=B\": 1, OK: [1] } } }");

        Error(result, 2, 30, "'A=B' in 'env' of task 'a' is not a valid environment variable name");
        Error(result, 2, 44, "the value of 'OK' in 'env' of task 'a' must be text, not a list");
    }

    [Fact]
    public void Empty_entries_in_lists_are_errors()
    {
        var result = Parse("name: n\ntasks: { a: { run: x, needs: [b, ~, \"\"] } }");

        Assert.Equal([At(2, 34), At(2, 37)], result.Problems.Select(p => p.Location!.Value));
        Assert.All(result.Problems, p => Assert.Equal("an entry of 'needs' of task 'a' is empty", p.Message));
        Assert.Equal(["b"], Task(result.Job!, "a").Needs);
    }
}
