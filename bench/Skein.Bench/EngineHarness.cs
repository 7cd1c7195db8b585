using Skein.Engine;

namespace Skein.Bench;

/// <summary>A run measured from the caller's side: start to the last result read.</summary>
/// <param name="FirstResult">From the start until the first result reached the reader (validation and graph building).</param>
/// <param name="AllocatedBytes">Bytes allocated by the whole process while the run went.</param>
/// <param name="Completions">
/// When each requested number of tasks had completed, from the first completion, by the tasks' own start times and
/// durations: when they finished, not when the reader got to them.
/// </param>
internal sealed record EngineSample(TimeSpan Elapsed, TimeSpan FirstResult, long AllocatedBytes, TimeSpan[] Completions) : ISample;

/// <summary>Builds the benchmark jobs and runs them the way a user would: JobRunner, reading every result.</summary>
internal static class EngineHarness
{
    /// <summary>
    /// One delegate object per task, as a job built in C# has (each bound to its own target, so none is a shared
    /// cached lambda); the baseline invokes the very same objects.
    /// </summary>
    public static Func<TaskContext, CancellationToken, ValueTask<object?>>[] NoopBodies(int count)
    {
        var bodies = new Func<TaskContext, CancellationToken, ValueTask<object?>>[count];
        for (var i = 0; i < count; i++) bodies[i] = new NoopTask(i).RunAsync;
        return bodies;
    }

    private sealed class NoopTask(int index)
    {
        public int Index { get; } = index;

        public ValueTask<object?> RunAsync(TaskContext context, CancellationToken cancellationToken) => default;
    }

    public static Job IndependentJob(string name, Func<TaskContext, CancellationToken, ValueTask<object?>>[] bodies)
    {
        var job = new Job(name);
        for (var i = 0; i < bodies.Length; i++) job.Add(new TaskSpec { Id = TaskId(i), Action = new DelegateAction(bodies[i]) });
        return job;
    }

    public static Job IndependentJob(string name, int count) => IndependentJob(name, NoopBodies(count));

    /// <summary>t00000 ← t00001 ← …: each task needs the one before it.</summary>
    public static Job ChainJob(int count)
    {
        var bodies = NoopBodies(count);
        var job = new Job("chain");
        for (var i = 0; i < count; i++)
        {
            job.Add(new TaskSpec
            {
                Id = TaskId(i),
                Action = new DelegateAction(bodies[i]),
                Needs = i == 0 ? [] : [TaskId(i - 1)],
            });
        }
        return job;
    }

    /// <summary>One root, <paramref name="width"/> tasks that need it, and one sink that needs them all.</summary>
    public static Job FanJob(int width)
    {
        var bodies = NoopBodies(width + 2);
        var job = new Job("fan");
        job.Add(new TaskSpec { Id = "root", Action = new DelegateAction(bodies[0]) });
        var middle = new string[width];
        for (var i = 0; i < width; i++)
        {
            middle[i] = TaskId(i);
            job.Add(new TaskSpec { Id = middle[i], Action = new DelegateAction(bodies[i + 1]), Needs = ["root"] });
        }
        job.Add(new TaskSpec { Id = "sink", Action = new DelegateAction(bodies[width + 1]), Needs = middle });
        return job;
    }

    public static Job CommandJob(int count, string command)
    {
        var job = new Job("commands");
        for (var i = 0; i < count; i++) job.AddCommand(TaskId(i), command);
        return job;
    }

    /// <summary>When the task finished, by the engine's clock: results arrive in the order tasks finished.</summary>
    private static DateTimeOffset Completed(TaskResult result) => result.StartedAt!.Value + result.Duration;

    public static string TaskId(int index) => "t" + index.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    public static RunOptions Options(BenchSettings settings, int workers, IRunJournal? journal = null) => new()
    {
        Workers = workers,
        StateDirectory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N")),
        Journal = journal,
    };

    /// <summary>Runs the job and reads every result; any result other than passed fails the benchmark.</summary>
    /// <param name="markEvery">Record when every this-many tasks had completed (0: no marks).</param>
    public static async Task<EngineSample> RunAsync(Job job, RunOptions options, int markEvery = 0, CancellationToken cancellationToken = default)
    {
        var expected = job.Tasks.Count;
        var marks = new TimeSpan[markEvery > 0 ? expected / markEvery : 0];
        var firstCompletion = DateTimeOffset.MinValue;
        var firstResult = TimeSpan.Zero;
        var count = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Measure.Timestamp();
        await foreach (var result in JobRunner.RunAsync(job, options, cancellationToken).ConfigureAwait(false))
        {
            if (result.Outcome != Outcome.Passed)
                throw new InvalidOperationException($"Benchmark task {result} did not pass; the figures would be meaningless.");
            if (++count == 1)
            {
                firstResult = Measure.Since(start);
                firstCompletion = Completed(result);
            }
            if (markEvery > 0 && count % markEvery == 0) marks[count / markEvery - 1] = Completed(result) - firstCompletion;
        }
        var elapsed = Measure.Since(start);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (count != expected) throw new InvalidOperationException($"The run reported {count} results for {expected} tasks.");
        return new EngineSample(elapsed, firstResult, allocated, marks);
    }
}
