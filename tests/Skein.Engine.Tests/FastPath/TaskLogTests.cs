namespace Skein.Engine.Tests.FastPath;

/// <summary>The attempt log: where it is, when a result points at it, and that tasks which write nothing get none.</summary>
public class TaskLogTests
{
    [Fact]
    public async Task A_task_that_writes_nothing_has_no_log()
    {
        var results = await FastPathRuns.ByIdAsync(new Job("quiet").Add("a", _ => 1));
        Assert.Null(results["a"].LogPath);
    }

    [Fact]
    public async Task A_task_writing_to_its_log_gets_the_attempt_path_and_the_text()
    {
        var options = FastPathRuns.Options();
        var results = await FastPathRuns.ByIdAsync(new Job("log").Add("my task/1", ctx => { ctx.Log.WriteLine("hello"); return null; }), options);
        var log = results["my task/1"].LogPath;
        Assert.NotNull(log);
        Assert.Equal("my%20task%2F1.1.log", Path.GetFileName(log));
        Assert.True(Path.IsPathRooted(log));
        Assert.StartsWith(Path.GetFullPath(Path.Combine(options.StateDirectory, "logs")), log, StringComparison.Ordinal);
        Assert.Equal("hello", File.ReadAllText(log).Trim());
    }

    [Fact]
    public async Task The_context_log_path_is_the_same_path_the_result_reports()
    {
        string? seen = null;
        var results = await FastPathRuns.ByIdAsync(new Job("path").Add("a", ctx => { seen = ctx.LogPath; ctx.Log.Write("x"); return null; }));
        Assert.Equal(seen, results["a"].LogPath);
    }

    [Fact]
    public async Task An_action_writing_the_log_file_itself_is_seen()
    {
        var job = new Job("custom").Add(new TaskSpec { Id = "a", Action = new FileWritingAction() });
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.NotNull(results["a"].LogPath);
        Assert.Equal("written directly", File.ReadAllText(results["a"].LogPath!));
    }

    [Fact]
    public async Task A_task_that_throws_has_the_stack_trace_in_its_log()
    {
        var job = new Job("throws").Add("a", (Func<TaskContext, object?>)(_ => throw new InvalidOperationException("kaput")));
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.Equal(Outcome.Failed, results["a"].Outcome);
        Assert.Equal("InvalidOperationException: kaput", results["a"].Reason);
        Assert.Contains("kaput", File.ReadAllText(results["a"].LogPath!));
    }

    [Fact]
    public async Task A_retried_task_reports_the_log_of_its_last_attempt()
    {
        var attempts = 0;
        var job = new Job("retry").Add(new TaskSpec
        {
            Id = "flaky",
            Retries = 2,
            Action = DelegateAction.From(ctx =>
            {
                ctx.Log.WriteLine($"attempt {ctx.Attempt}");
                if (Interlocked.Increment(ref attempts) < 3) throw new InvalidOperationException("not yet");
            }),
        });
        var results = await FastPathRuns.ByIdAsync(job);
        Assert.Equal(Outcome.Passed, results["flaky"].Outcome);
        Assert.Equal(3, results["flaky"].Attempts);
        Assert.EndsWith("flaky.3.log", results["flaky"].LogPath, StringComparison.Ordinal);
        Assert.Equal("attempt 3", File.ReadAllText(results["flaky"].LogPath!).Trim());
    }

    private sealed class FileWritingAction : ITaskAction
    {
        public string Fingerprint => "file-writing";

        public ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(context.LogPath)!);
            File.WriteAllText(context.LogPath, "written directly");
            return ValueTask.FromResult(ActionResult.Passed());
        }
    }
}
