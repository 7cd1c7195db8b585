using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>Each key of format version 1 reaches the task, group or job it describes.</summary>
public sealed class JobFileKeysTests
{
    private static readonly string BaseDirectory = Path.Combine(Path.GetTempPath(), "skein-jobfile-tests", "base");

    [Fact]
    public void Minimal_job_has_name_and_tasks_in_file_order()
    {
        var job = Valid("""
            name: minimal
            tasks:
              b:
                run: echo b
              a:
                run: echo a
            """);

        Assert.Equal("minimal", job.Name);
        Assert.Equal(["b", "a"], job.Tasks.Select(t => t.Id));
        Assert.Empty(job.Groups);
        Assert.Empty(job.Warnings);
    }

    [Fact]
    public void Version_1_is_accepted_as_number_or_text()
    {
        Valid("version: 1\nname: n\ntasks: { a: { run: x } }");
        Valid("version: \"1\"\nname: n\ntasks: { a: { run: x } }");
    }

    [Fact]
    public void Run_becomes_a_command_in_the_job_file_directory_with_no_limits_by_default()
    {
        var job = Valid("""
            name: n
            tasks:
              fetch:
                run: ./fetch.sh --all
            """, BaseDirectory);

        var task = Task(job, "fetch");
        var command = Assert.IsType<CommandAction>(task.Action);
        Assert.Equal("./fetch.sh --all", command.Command);
        Assert.Equal(BaseDirectory, command.WorkingDirectory);
        Assert.Empty(command.Environment);
        Assert.Empty(command.WarnExitCodes);
        Assert.Equal(TimeSpan.FromSeconds(5), command.KillGrace);
        Assert.Null(task.Timeout);
        Assert.Equal(0, task.Retries);
        Assert.Equal(0, task.Priority);
        Assert.Null(task.Group);
        Assert.Null(task.Version);
        Assert.Empty(task.Needs);
        Assert.Empty(task.Provides);
        Assert.Empty(task.Claims);
        Assert.Empty(task.Uses);
    }

    [Fact]
    public void Multi_line_run_keeps_its_lines()
    {
        var job = Valid("""
            name: n
            tasks:
              a:
                run: |
                  echo one
                  echo two
            """);

        Assert.Equal("echo one\necho two", Command(job, "a").Command);
    }

    [Fact]
    public void Lists_are_read_from_block_and_flow_lists_and_single_names()
    {
        var job = Valid("""
            name: n
            tasks:
              a:
                run: x
                needs: [b, db]
                provides:
                  - web
                  - api
                claims: port-5432
                uses: [shared-cache]
            """);

        var task = Task(job, "a");
        Assert.Equal(["b", "db"], task.Needs);
        Assert.Equal(["web", "api"], task.Provides);
        Assert.Equal(["port-5432"], task.Claims);
        Assert.Equal(["shared-cache"], task.Uses);
    }

    [Fact]
    public void Scalar_keys_are_read()
    {
        var job = Valid("""
            name: n
            groups:
              heavy: { workers: 2 }
            tasks:
              a:
                run: x
                priority: -3
                timeout: 1m30s
                retries: 2
                group: heavy
                kill-grace: 250ms
                warn-exit-codes: [3, 4]
                description: "free text"
                version: "2"
            """);

        var task = Task(job, "a");
        Assert.Equal(-3, task.Priority);
        Assert.Equal(TimeSpan.FromSeconds(90), task.Timeout);
        Assert.Equal(2, task.Retries);
        Assert.Equal("heavy", task.Group);
        Assert.Equal("2", task.Version);
        var command = Command(job, "a");
        Assert.Equal(TimeSpan.FromMilliseconds(250), command.KillGrace);
        Assert.Equal([3, 4], command.WarnExitCodes);
    }

    [Fact]
    public void A_single_warn_exit_code_is_accepted()
    {
        var job = Valid("name: n\ntasks: { a: { run: x, warn-exit-codes: 3 } }");
        Assert.Equal([3], Command(job, "a").WarnExitCodes);
    }

    [Fact]
    public void Workdir_is_relative_to_the_job_file_directory_and_absolute_paths_stay()
    {
        var job = Valid("""
            name: n
            tasks:
              rel:
                run: x
                workdir: sub/dir
              abs:
                run: x
                workdir: /var/tmp
            """, BaseDirectory);

        Assert.Equal(Path.Combine(BaseDirectory, "sub", "dir"), Command(job, "rel").WorkingDirectory);
        Assert.Equal("/var/tmp", Command(job, "abs").WorkingDirectory);
    }

    [Fact]
    public void Env_values_are_text_and_an_empty_value_is_an_empty_string()
    {
        var job = Valid("""
            name: n
            tasks:
              a:
                run: x
                env: { MODE: fast, COUNT: 3, EMPTY: }
            """);

        var env = Command(job, "a").Environment;
        Assert.Equal("fast", env["MODE"]);
        Assert.Equal("3", env["COUNT"]);
        Assert.Equal("", env["EMPTY"]);
    }

    [Fact]
    public void Groups_are_declared_with_their_workers_and_location()
    {
        var job = Valid("""
            name: n
            groups:
              heavy: { workers: 1 }
              light:
                workers: 4
              exclusive: {}
            tasks:
              a: { run: x, group: heavy }
            """);

        Assert.Equal(1, job.Groups["heavy"].Workers);
        Assert.Equal(At(3, 3), job.Groups["heavy"].Location);
        Assert.Equal(4, job.Groups["light"].Workers);
        Assert.Equal(1, job.Groups["exclusive"].Workers);
    }

    [Fact]
    public void A_group_a_task_names_but_nobody_declares_is_left_to_graph_validation()
    {
        var job = Valid("name: n\ntasks: { a: { run: x, group: nowhere } }");
        Assert.Equal("nowhere", Task(job, "a").Group);
        Assert.Empty(job.Groups);
    }

    [Fact]
    public void Anchors_and_aliases_can_share_values()
    {
        var job = Valid("""
            name: n
            tasks:
              a:
                run: x
                env: &common { MODE: fast }
              b:
                run: y
                env: *common
            """);

        Assert.Equal("fast", Command(job, "b").Environment["MODE"]);
    }

    [Fact]
    public void Task_source_points_at_the_task_its_keys_and_each_list_entry()
    {
        var job = Valid("""
            name: n
            groups: { heavy: {} }
            tasks:
              build:
                needs: [fetch, db]
                provides:
                  - web
                claims: port
                uses: [cache]
                group: heavy
                timeout: 10m
                run: make
              fetch: { run: x }
              database: { run: x, provides: db }
            """);

        var source = Task(job, "build").Source!;
        Assert.Equal(At(4, 3), source.Location);
        Assert.Equal(At(5, 5), source.LocationOf("needs"));
        Assert.Equal(At(5, 13), source.LocationOf("needs", 0));
        Assert.Equal(At(5, 20), source.LocationOf("needs", 1));
        Assert.Equal(At(6, 5), source.LocationOf("provides"));
        Assert.Equal(At(7, 9), source.LocationOf("provides", 0));
        Assert.Equal(At(8, 13), source.LocationOf("claims", 0));
        Assert.Equal(At(9, 12), source.LocationOf("uses", 0));
        Assert.Equal(At(10, 5), source.LocationOf("group"));
        Assert.Equal(At(11, 5), source.LocationOf("timeout"));
        Assert.Equal(At(12, 5), source.LocationOf("run"));
        Assert.Equal(At(4, 3), source.LocationOf("retries"));
    }

    [Fact]
    public void Load_reads_a_file_and_resolves_paths_against_its_directory()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("jobs/build.yaml", "name: from-file\ntasks:\n  a:\n    run: x\n    workdir: out\n");

        var result = Skein.Engine.JobFiles.JobFileLoader.Load(path);

        Assert.Empty(result.Problems);
        Assert.False(result.HasErrors);
        Assert.Equal("from-file", result.Job!.Name);
        Assert.Equal(path, result.Job.SourceFile);
        Assert.Equal(Path.Combine(dir.Path, "jobs", "out"), Command(result.Job, "a").WorkingDirectory);
    }

    [Fact]
    public void Load_reports_problems_against_the_path_as_given()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("bad.yaml", "name: n\ntasks:\n  a:\n    retries: many\n    run: x\n");

        var result = Skein.Engine.JobFiles.JobFileLoader.Load(path);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(new SourceLocation(path, 4, 14), problem.Location);
    }

    [Fact]
    public void Parse_leaves_the_source_file_unset()
    {
        Assert.Null(Valid("name: n\ntasks: { a: { run: x } }").SourceFile);
    }
}
