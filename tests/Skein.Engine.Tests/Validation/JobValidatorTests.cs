namespace Skein.Engine.Tests.Validation;

public class JobValidatorTests
{
    private static TaskSpec T(string id, params string[] needs) =>
        new() { Id = id, Action = DelegateAction.From(_ => { }), Needs = needs };

    private static Job JobOf(params TaskSpec[] tasks)
    {
        var job = new Job("validation");
        foreach (var t in tasks) job.Add(t);
        return job;
    }

    private static List<string> Errors(JobPlan plan) =>
        plan.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Message).ToList();

    [Fact]
    public void A_valid_job_is_laid_out_in_dependency_layers()
    {
        var plan = JobValidator.Plan(JobOf(T("fetch"), T("lint"), T("build", "fetch"), T("test", "build", "lint"), T("docs", "fetch")));

        Assert.True(plan.IsValid);
        Assert.Empty(plan.Problems);
        Assert.Equal(5, plan.TaskCount);
        Assert.Equal(3, plan.Layers.Count);
        Assert.Equal(["fetch", "lint"], plan.Layers[0]);
        Assert.Equal(["build", "docs"], plan.Layers[1].Order(StringComparer.Ordinal));
        Assert.Equal(["test"], plan.Layers[2]);
        plan.ThrowIfInvalid();
    }

    [Fact]
    public void Layers_place_capability_needers_after_every_provider()
    {
        var plan = JobValidator.Plan(JobOf(
            T("migrate"),
            new TaskSpec { Id = "db-a", Action = DelegateAction.From(_ => { }), Provides = ["db"], Needs = ["migrate"] },
            new TaskSpec { Id = "db-b", Action = DelegateAction.From(_ => { }), Provides = ["db"] },
            T("app", "db")));

        Assert.True(plan.IsValid);
        Assert.Equal(["migrate", "db-b"], plan.Layers[0]);
        Assert.Equal(["db-a"], plan.Layers[1]);
        Assert.Equal(["app"], plan.Layers[2]);
    }

    [Fact]
    public void A_cycle_is_printed_along_its_needs()
    {
        var plan = JobValidator.Plan(JobOf(T("a", "b"), T("b", "c"), T("c", "a"), T("d")));

        Assert.False(plan.IsValid);
        Assert.Empty(plan.Layers);
        var error = Assert.Single(Errors(plan));
        Assert.Equal("dependency cycle: a → b → c → a", error);
    }

    [Fact]
    public void A_task_behind_a_cycle_is_not_reported_as_part_of_it()
    {
        var plan = JobValidator.Plan(JobOf(T("entry", "x"), T("x", "y"), T("y", "x")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("dependency cycle: x → y → x", error);
    }

    [Fact]
    public void A_task_that_needs_itself_is_a_cycle()
    {
        var plan = JobValidator.Plan(JobOf(T("loop", "loop"), T("fine")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("dependency cycle: loop → loop", error);
    }

    [Fact]
    public void A_task_that_needs_what_it_provides_is_the_same_cycle_as_needing_itself()
    {
        var byCapability = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "loop", Action = DelegateAction.From(_ => { }), Provides = ["x"], Needs = ["x"] }, T("fine")));
        var byId = JobValidator.Plan(JobOf(T("loop", "loop"), T("fine")));

        Assert.Equal(Errors(byId), Errors(byCapability));
        Assert.Equal("dependency cycle: loop → loop", Assert.Single(Errors(byCapability)));
        Assert.Empty(byCapability.Layers);
    }

    [Fact]
    public void A_task_among_several_providers_of_what_it_needs_waits_for_itself()
    {
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "a", Action = DelegateAction.From(_ => { }), Provides = ["x"], Needs = ["x"] },
            new TaskSpec { Id = "b", Action = DelegateAction.From(_ => { }), Provides = ["x"] }));

        Assert.Equal("dependency cycle: a → a", Assert.Single(Errors(plan)));
    }

    [Fact]
    public void Separate_cycles_are_each_reported()
    {
        var plan = JobValidator.Plan(JobOf(T("a", "b"), T("b", "a"), T("p", "q"), T("q", "r"), T("r", "p")));

        var errors = Errors(plan);
        Assert.Equal(2, errors.Count);
        Assert.Contains("dependency cycle: a → b → a", errors);
        Assert.Contains("dependency cycle: p → q → r → p", errors);
    }

    [Fact]
    public void A_cycle_through_a_capability_names_the_tasks()
    {
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "server", Action = DelegateAction.From(_ => { }), Provides = ["web"], Needs = ["client"] },
            T("client", "web")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("dependency cycle: server → client → server", error);
    }

    [Fact]
    public void A_cycle_points_at_the_needs_in_the_job_file()
    {
        var source = new TaskSource(new SourceLocation("job.yaml", 4, 3));
        source.Set("needs", new SourceLocation("job.yaml", 6, 12));
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "a", Action = DelegateAction.From(_ => { }), Needs = ["a"], Source = source }));

        var problem = Assert.Single(plan.Problems);
        Assert.Equal(new SourceLocation("job.yaml", 6, 12), problem.Location);
        Assert.Equal("job.yaml:6:12: error: dependency cycle: a → a", problem.ToString());
    }

    [Fact]
    public void An_unknown_need_suggests_the_closest_name()
    {
        var plan = JobValidator.Plan(JobOf(T("compile"), T("test", "compil")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("task 'test' needs 'compil', which is neither a task nor a capability any task provides (did you mean 'compile'?)", error);
    }

    [Fact]
    public void An_unknown_need_suggests_capabilities_too()
    {
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "postgres", Action = DelegateAction.From(_ => { }), Provides = ["database"] },
            T("app", "databse")));

        var error = Assert.Single(Errors(plan));
        Assert.EndsWith("(did you mean 'database'?)", error);
    }

    [Fact]
    public void An_unknown_need_far_from_every_name_gets_no_suggestion()
    {
        var plan = JobValidator.Plan(JobOf(T("compile"), T("test", "xyzzy")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("task 'test' needs 'xyzzy', which is neither a task nor a capability any task provides", error);
    }

    [Fact]
    public void A_capability_nobody_provides_is_rejected()
    {
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "cache", Action = DelegateAction.From(_ => { }), Provides = ["redis"] },
            T("app", "message-queue")));

        var error = Assert.Single(Errors(plan));
        Assert.Contains("task 'app' needs 'message-queue', which is neither a task nor a capability any task provides", error);
    }

    [Fact]
    public void Duplicate_ids_are_rejected_pointing_at_the_first_declaration()
    {
        var first = new TaskSource(new SourceLocation("job.yaml", 2, 3));
        var second = new TaskSource(new SourceLocation("job.yaml", 9, 3));
        var plan = JobValidator.Plan(JobOf(
            new TaskSpec { Id = "build", Action = DelegateAction.From(_ => { }), Source = first },
            new TaskSpec { Id = "build", Action = DelegateAction.From(_ => { }), Source = second }));

        var problem = Assert.Single(plan.Problems);
        Assert.Equal("duplicate task id 'build' (first declared at job.yaml:2:3)", problem.Message);
        Assert.Equal(new SourceLocation("job.yaml", 9, 3), problem.Location);
    }

    [Fact]
    public void An_id_that_is_also_a_capability_is_rejected()
    {
        var plan = JobValidator.Plan(JobOf(
            T("db"),
            new TaskSpec { Id = "postgres", Action = DelegateAction.From(_ => { }), Provides = ["db"] },
            T("app", "db")));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("'db' is both a task id and a capability provided by 'postgres'; rename one", error);
    }

    [Fact]
    public void A_task_in_an_undeclared_group_is_rejected_with_a_suggestion()
    {
        var job = JobOf(new TaskSpec { Id = "bench", Action = DelegateAction.From(_ => { }), Group = "gpus" });
        job.AddGroup("gpu", 1);

        var error = Assert.Single(Errors(JobValidator.Plan(job)));
        Assert.Equal("task 'bench' is in group 'gpus', which is not declared under 'groups' (did you mean 'gpu'?)", error);
    }

    [Fact]
    public void A_group_without_workers_is_rejected()
    {
        var job = JobOf(T("a")).AddGroup("serial", 0);

        var error = Assert.Single(Errors(JobValidator.Plan(job)));
        Assert.Equal("group 'serial' has workers 0; it must be 1 or more", error);
    }

    [Fact]
    public void Negative_retries_are_rejected()
    {
        var plan = JobValidator.Plan(JobOf(new TaskSpec { Id = "flaky", Action = DelegateAction.From(_ => { }), Retries = -1 }));

        var error = Assert.Single(Errors(plan));
        Assert.Equal("task 'flaky' has retries -1; it must be 0 or more", error);
    }

    [Fact]
    public void A_timeout_that_is_not_positive_is_rejected()
    {
        var plan = JobValidator.Plan(JobOf(new TaskSpec { Id = "t", Action = DelegateAction.From(_ => { }), Timeout = TimeSpan.Zero }));

        var error = Assert.Single(Errors(plan));
        Assert.StartsWith("task 't' has a timeout of", error);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var job = JobOf(
            T("a", "b"),
            T("b", "a"),
            T("c", "nope"),
            T("c"),
            new TaskSpec { Id = "d", Action = DelegateAction.From(_ => { }), Retries = -2, Group = "missing" },
            new TaskSpec { Id = "e", Action = DelegateAction.From(_ => { }), Provides = ["c"] });
        job.AddWarning(ValidationProblem.Warning("glob 'tests/*.sh' matched nothing"));

        var plan = JobValidator.Plan(job);

        Assert.False(plan.IsValid);
        var errors = Errors(plan);
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("duplicate task id 'c'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("task 'c' needs 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("task 'd' has retries -2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("task 'd' is in group 'missing'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'c' is both a task id and a capability", StringComparison.Ordinal));
        Assert.Contains("dependency cycle: a → b → a", errors);
        Assert.Contains(plan.Problems, p => p.Severity == ProblemSeverity.Warning && p.Message.Contains("matched nothing", StringComparison.Ordinal));

        var thrown = Assert.Throws<JobValidationException>(plan.ThrowIfInvalid);
        Assert.Equal(plan.Problems, thrown.Problems);
        Assert.StartsWith("The job is invalid (6 errors):", thrown.Message);
    }

    [Fact]
    public void Warnings_alone_leave_the_job_valid()
    {
        var job = JobOf(T("a")).AddWarning(ValidationProblem.Warning("glob matched nothing"));

        var plan = JobValidator.Plan(job);

        Assert.True(plan.IsValid);
        Assert.Single(plan.Problems);
        Assert.Equal(["a"], plan.Layers[0]);
    }

    [Fact]
    public void Only_selects_the_named_tasks_their_transitive_needs_and_providers_of_needed_capabilities()
    {
        var job = JobOf(
            T("fetch"),
            T("unrelated"),
            T("configure", "fetch"),
            new TaskSpec { Id = "pg", Action = DelegateAction.From(_ => { }), Provides = ["db"], Needs = ["configure"] },
            new TaskSpec { Id = "pg-replica", Action = DelegateAction.From(_ => { }), Provides = ["db"] },
            new TaskSpec { Id = "redis", Action = DelegateAction.From(_ => { }), Provides = ["cache"] },
            T("app", "db"),
            T("e2e", "app", "cache"),
            T("docs", "fetch"));

        var plan = JobValidator.Plan(job, only: ["app"]);

        Assert.True(plan.IsValid);
        Assert.Equal(5, plan.TaskCount);
        Assert.Equal(["app", "configure", "fetch", "pg", "pg-replica"], plan.Layers.SelectMany(l => l).Order(StringComparer.Ordinal));
        Assert.Equal(["app"], plan.Layers[^1]);
    }

    [Fact]
    public void Only_with_several_names_selects_the_union()
    {
        var job = JobOf(T("a"), T("b", "a"), T("c"), T("d", "c"), T("e"));

        var plan = JobValidator.Plan(job, only: ["b", "d"]);

        Assert.Equal(4, plan.TaskCount);
        Assert.Equal(["a", "b", "c", "d"], plan.Layers.SelectMany(l => l).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_naming_an_unknown_task_is_an_error_with_a_suggestion()
    {
        var plan = JobValidator.Plan(JobOf(T("integration"), T("unit")), only: ["integraton", "unit"]);

        var error = Assert.Single(Errors(plan));
        Assert.Equal("--only names 'integraton', which is not a task of this job (did you mean 'integration'?)", error);
    }

    [Fact]
    public void Only_ignores_cycles_outside_the_selection()
    {
        var plan = JobValidator.Plan(JobOf(T("a"), T("x", "y"), T("y", "x")), only: ["a"]);

        Assert.True(plan.IsValid);
        Assert.Equal(1, plan.TaskCount);
    }

    [Fact]
    public async Task Starting_an_invalid_job_throws_before_anything_runs()
    {
        var ran = 0;
        var job = new Job("invalid")
            .Add("fine", _ => Interlocked.Increment(ref ran))
            .Add("broken", _ => Interlocked.Increment(ref ran), "missing");

        var ex = await Assert.ThrowsAsync<JobValidationException>(() =>
            JobRun.StartAsync(job, new RunOptions { StateDirectory = Support.Runs.TempDir() }, TestContext.Current.CancellationToken));

        Assert.Contains(ex.Problems, p => p.Message.StartsWith("task 'broken' needs 'missing'", StringComparison.Ordinal));
        Assert.Equal(0, ran);
    }
}
