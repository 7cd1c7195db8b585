namespace Skein.Engine.Tests.Support;

/// <summary>Runs jobs the way users do, with a bound on every wait so a hung run fails the test instead of hanging it.</summary>
internal static class Runs
{
    public static readonly TimeSpan Patience = TestPatience.Ceiling;

    public static string TempDir() => Path.Combine(Path.GetTempPath(), "skein-tests", Guid.NewGuid().ToString("N"));

    public static RunOptions Options(int workers = 4) => new() { Workers = workers, StateDirectory = TempDir() };

    public static async Task<List<TaskResult>> CollectAsync(Job job, RunOptions? options = null)
    {
        var results = new List<TaskResult>();
        await foreach (var r in JobRunner.RunAsync(job, options ?? Options(), TestContext.Current.CancellationToken)
                           .WithCancellation(TestContext.Current.CancellationToken))
        {
            results.Add(r);
        }
        return results;
    }

    public static Task<List<TaskResult>> CollectWithinAsync(Job job, RunOptions? options = null) =>
        CollectAsync(job, options).WaitAsync(Patience, TestContext.Current.CancellationToken);

    public static async Task<Dictionary<string, TaskResult>> ResultsByIdAsync(Job job, RunOptions? options = null)
    {
        var results = await CollectWithinAsync(job, options);
        return results.ToDictionary(r => r.TaskId);
    }

    /// <summary>Every event of a started run, read to its end, and the run's summary.</summary>
    public static async Task<(List<RunEvent> Events, RunSummary Summary)> DrainAsync(JobRun run)
    {
        var events = new List<RunEvent>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken)) events.Add(e);
        var summary = await run.Completion;
        return (events, summary);
    }

    public static Task<(List<RunEvent> Events, RunSummary Summary)> DrainWithinAsync(JobRun run) =>
        DrainAsync(run).WaitAsync(Patience, TestContext.Current.CancellationToken);

    public static List<TaskResult> Results(this IEnumerable<RunEvent> events) =>
        events.OfType<TaskFinished>().Select(f => f.Result).ToList();

    /// <summary>An asynchronous C# task that needs only its token.</summary>
    public static Job AddAsync(this Job job, string id, Func<CancellationToken, Task> body, params string[] needs) =>
        job.Add(id, (_, ct) => body(ct), needs);

    /// <summary>A synchronous C# task that returns nothing.</summary>
    public static Job AddAction(this Job job, string id, Action<TaskContext> body, params string[] needs) =>
        job.Add(new TaskSpec { Id = id, Action = DelegateAction.From(body), Needs = needs });

    public static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task Within(this Task task) => task.WaitAsync(Patience, TestContext.Current.CancellationToken);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience, TestContext.Current.CancellationToken);
}
