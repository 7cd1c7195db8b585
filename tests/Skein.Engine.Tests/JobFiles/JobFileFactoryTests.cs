using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>Matrix and foreach tasks expand into copies with their placeholders filled in.</summary>
public sealed class JobFileFactoryTests
{
    [Fact]
    public void Matrix_makes_one_task_per_entry_in_place_and_in_order()
    {
        var job = Valid("""
            name: n
            tasks:
              build: { run: make }
              test-{{matrix.shard}}:
                matrix: { shard: [1, 2, 3, 4] }
                needs: [build]
                run: ./test.sh --shard {{matrix.shard}}
              report: { run: x }
            """);

        Assert.Equal(["build", "test-1", "test-2", "test-3", "test-4", "report"], job.Tasks.Select(t => t.Id));
        Assert.Equal("./test.sh --shard 3", Command(job, "test-3").Command);
        Assert.Equal(["build"], Task(job, "test-3").Needs);
    }

    [Fact]
    public void Several_matrix_keys_make_the_cartesian_product_with_the_first_key_varying_slowest()
    {
        var job = Valid("""
            name: n
            tasks:
              "{{matrix.os}}-{{ matrix.arch }}":
                matrix:
                  os: [linux, mac]
                  arch: [x64, arm64, x86]
                run: build {{matrix.os}} {{matrix.arch}}
            """);

        Assert.Equal(
            ["linux-x64", "linux-arm64", "linux-x86", "mac-x64", "mac-arm64", "mac-x86"],
            job.Tasks.Select(t => t.Id));
        Assert.Equal("build mac arm64", Command(job, "mac-arm64").Command);
    }

    [Fact]
    public void Placeholders_are_filled_in_every_text_value()
    {
        var job = Valid("""
            name: n
            defaults:
              workdir: work/{{matrix.v}}
              env: { FROM_DEFAULT: "d-{{matrix.v}}" }
            groups: { g-a: {} }
            tasks:
              t-{{matrix.v}}:
                matrix: { v: [a] }
                run: echo {{matrix.v}}
                needs:
                  - n-{{matrix.v}}
                provides: ["p-{{matrix.v}}"]
                claims: c-{{matrix.v}}
                uses: ['u-{{matrix.v}}']
                env: { OWN: "o-{{matrix.v}}" }
                group: g-{{matrix.v}}
                description: about {{matrix.v}}
                version: v-{{matrix.v}}
            """, "/base");

        var task = Task(job, "t-a");
        Assert.Equal(["n-a"], task.Needs);
        Assert.Equal(["p-a"], task.Provides);
        Assert.Equal(["c-a"], task.Claims);
        Assert.Equal(["u-a"], task.Uses);
        Assert.Equal("g-a", task.Group);
        Assert.Equal("v-a", task.Version);
        var command = Command(job, "t-a");
        Assert.Equal("echo a", command.Command);
        Assert.Equal("/base/work/a", command.WorkingDirectory);
        Assert.Equal("d-a", command.Environment["FROM_DEFAULT"]);
        Assert.Equal("o-a", command.Environment["OWN"]);
    }

    [Fact]
    public void Every_copy_points_at_the_template_in_the_file()
    {
        var job = Valid("""
            name: n
            tasks:
              t-{{matrix.v}}:
                matrix: { v: [a, b] }
                needs: [x]
                run: y
              x: { run: x }
            """);

        Assert.Equal(At(3, 3), Task(job, "t-b").Source!.Location);
        Assert.Equal(At(5, 13), Task(job, "t-b").Source!.LocationOf("needs", 0));
        Assert.Equal(At(4, 5), Task(job, "t-a").Source!.LocationOf("matrix"));
        Assert.NotSame(Task(job, "t-a").Source, Task(job, "t-b").Source);
    }

    [Fact]
    public void Unknown_placeholders_are_errors_where_they_are_written()
    {
        var result = Parse("""
            name: n
            defaults:
              env: { D: "{{matrix.gone}}" }
            tasks:
              test-{{matrix.shard}}:
                matrix: { shard: [1, 2] }
                run: ./test {{matrix.nope}}
                needs: ["{{foo}}"]
              plain:
                run: echo {{file}}
            """);

        Error(result, 7, 10, "unknown placeholder '{{matrix.nope}}' in task 'test-{{matrix.shard}}' (known here: {{matrix.shard}})");
        Error(result, 8, 13, "unknown placeholder '{{foo}}' in task 'test-{{matrix.shard}}'");
        Error(result, 3, 13, "unknown placeholder '{{matrix.gone}}' in task 'test-{{matrix.shard}}'");
        Error(result, 3, 13, "unknown placeholder '{{matrix.gone}}' in task 'plain'", "only in tasks with 'matrix' or 'foreach'");
        Error(result, 10, 10, "unknown placeholder '{{file}}' in task 'plain'");
        // Reported once for the template, not once for each of its two copies.
        Assert.Equal(5, result.Problems.Count);
    }

    [Fact]
    public void Placeholders_in_a_task_without_a_factory_are_unknown_even_in_the_id()
    {
        var result = Parse("name: n\ntasks:\n  test-{{matrix.shard}}:\n    run: x\n");

        Error(result, 3, 3, "unknown placeholder '{{matrix.shard}}' in task 'test-{{matrix.shard}}'");
    }

    [Fact]
    public void Bad_matrices_are_errors_and_make_no_copies()
    {
        var result = Parse("""
            name: n
            tasks:
              empty-{{matrix.x}}:
                matrix: {}
                run: x
              empty-list-{{matrix.x}}:
                matrix: { x: [] }
                run: x
              not-list-{{matrix.x}}:
                matrix: { x: 3 }
                run: x
              not-map:
                matrix: [1, 2]
                run: x
              nested-{{matrix.x}}:
                matrix: { x: [[1]] }
                run: x
              bad-name-{{matrix.a.b}}:
                matrix: { a.b: [1] }
                run: x
            """);

        Error(result, 4, 13, "'matrix' of task 'empty-{{matrix.x}}' is empty");
        Error(result, 7, 18, "matrix key 'x' in task 'empty-list-{{matrix.x}}' has an empty list");
        Error(result, 10, 18, "matrix key 'x' in task 'not-list-{{matrix.x}}' must be a list of values, not '3'");
        Error(result, 13, 13, "'matrix' of task 'not-map' must be a mapping", "not a list");
        Error(result, 16, 19, "a value of matrix key 'x' in task 'nested-{{matrix.x}}' must be text or a number, not a list");
        Error(result, 19, 15, "matrix key 'a.b' in task 'bad-name-{{matrix.a.b}}' may hold only letters, digits, '-' and '_'");
        // {{matrix.x}} in empty-{{matrix.x}} is not reported as unknown too: the empty matrix is the one mistake.
        Assert.Equal(6, result.Problems.Count);
        Assert.Empty(result.Job!.Tasks);
    }

    [Fact]
    public void Foreach_makes_one_task_per_file_in_ordinal_order_with_file_placeholders()
    {
        using var dir = new TempDirectory();
        dir.Write("src/b.cs");
        dir.Write("src/A.cs");
        dir.Write("src/deep/er/c.cs");
        dir.Write("src/notes.txt");
        dir.Write("other/d.cs");

        var job = Valid("""
            name: n
            tasks:
              lint-{{file.stem}}:
                foreach: "src/**/*.cs"
                run: ./lint {{file}}
                env:
                  FULL: "{{file.path}}"
                  NAME: "{{file.name}}"
                  EXT: "{{file.ext}}"
                  DIR: "{{file.dir}}"
            """, dir.Path);

        Assert.Equal(["lint-A", "lint-b", "lint-c"], job.Tasks.Select(t => t.Id));
        Assert.Equal("./lint src/deep/er/c.cs", Command(job, "lint-c").Command);
        var env = Command(job, "lint-c").Environment;
        Assert.Equal(Path.Combine(dir.Path, "src", "deep", "er", "c.cs"), env["FULL"]);
        Assert.Equal("c.cs", env["NAME"]);
        Assert.Equal(".cs", env["EXT"]);
        Assert.Equal("src/deep/er", env["DIR"]);
        Assert.Empty(job.Warnings);
    }

    [Fact]
    public void Foreach_takes_several_globs_and_excludes_with_a_leading_bang()
    {
        using var dir = new TempDirectory();
        dir.Write("a.sh");
        dir.Write("b.py");
        dir.Write("skip.sh");
        dir.Write("c.txt");

        var job = Valid("""
            name: n
            tasks:
              check-{{file.name}}:
                foreach: ["*.sh", "*.py", "!skip.sh"]
                run: check {{file}}
                workdir: "{{file.dir}}"
            """, dir.Path);

        Assert.Equal(["check-a.sh", "check-b.py"], job.Tasks.Select(t => t.Id));
        Assert.Equal(dir.Path, Command(job, "check-a.sh").WorkingDirectory);
    }

    [Fact]
    public void Foreach_matching_nothing_is_a_warning_on_the_job_and_in_problems()
    {
        using var dir = new TempDirectory();

        var result = Parse("""
            name: n
            tasks:
              lint-{{file.stem}}:
                foreach: "src/**/*.cs"
                run: ./lint {{file}}
            """, dir.Path);

        var warning = Single(result, ProblemSeverity.Warning, 4, 14, "foreach of task 'lint-{{file.stem}}' matched no files", "src/**/*.cs");
        Assert.False(result.HasErrors);
        Assert.Equal([warning], result.Job!.Warnings);
        Assert.Empty(result.Job.Tasks);
    }

    [Fact]
    public void Foreach_with_absolute_or_no_globs_is_an_error()
    {
        var result = Parse("""
            name: n
            tasks:
              a-{{file.stem}}:
                foreach: /etc/*.conf
                run: x
              b-{{file.stem}}:
                foreach: []
                run: x
            """);

        Error(result, 4, 14, "the glob '/etc/*.conf' in task 'a-{{file.stem}}' must be relative to the job file's directory");
        Error(result, 7, 14, "'foreach' of task 'b-{{file.stem}}' needs at least one glob");
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public void Matrix_and_foreach_together_make_one_task_per_file_and_entry()
    {
        using var dir = new TempDirectory();
        dir.Write("x.txt");
        dir.Write("y.txt");

        var job = Valid("""
            name: n
            tasks:
              "{{file.stem}}-{{matrix.mode}}":
                foreach: "*.txt"
                matrix: { mode: [fast, slow] }
                run: check --{{matrix.mode}} {{file}}
            """, dir.Path);

        Assert.Equal(["x-fast", "x-slow", "y-fast", "y-slow"], job.Tasks.Select(t => t.Id));
        Assert.Equal("check --slow y.txt", Command(job, "y-slow").Command);
    }

    [Fact]
    public void Duplicate_ids_after_expansion_are_errors_naming_both_places()
    {
        var result = Parse("""
            name: n
            tasks:
              test-1:
                run: x
              test-{{matrix.shard}}:
                matrix: { shard: [1, 2] }
                run: y
            """);

        Error(result, 5, 3, "duplicate task id 'test-1': made by the tasks at job.yaml:3:3 and at job.yaml:5:3");
        Assert.Single(result.Problems);
        // The first keeps the id, so graph validation sees one test-1 and does not report it again.
        Assert.Equal(["test-1", "test-2"], result.Job!.Tasks.Select(t => t.Id));
        Assert.Equal("x", Command(result.Job, "test-1").Command);
    }

    [Fact]
    public void A_copy_whose_id_comes_out_empty_is_an_error()
    {
        var result = Parse("""
            name: n
            tasks:
              "{{matrix.v}}":
                matrix: { v: ["", b] }
                run: x
            """);

        Error(result, 3, 3, "task '{{matrix.v}}' makes a task with an empty id");
        Assert.Equal(["b"], result.Job!.Tasks.Select(t => t.Id));
    }

    [Fact]
    public void Foreach_with_no_value_is_an_error_at_the_key()
    {
        var result = Parse("name: n\ntasks:\n  a:\n    foreach:\n    run: x\n");

        Error(result, 4, 5, "'foreach' of task 'a' needs at least one glob");
    }

    [Fact]
    public void A_factory_whose_id_has_no_placeholder_is_told_to_add_one()
    {
        var result = Parse("""
            name: n
            tasks:
              test:
                matrix: { shard: [1, 2, 3] }
                run: ./test {{matrix.shard}}
            """);

        Error(result, 3, 3, "task 'test' makes several tasks with the same id 'test'", "{{matrix.KEY}}");
        Assert.Single(result.Problems);
        Assert.Single(result.Job!.Tasks);
    }
}
