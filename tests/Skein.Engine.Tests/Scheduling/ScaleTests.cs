using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class ScaleTests
{
    [Fact]
    public async Task A_million_no_op_tasks_complete()
    {
        const int count = 1_000_000;
        var job = new Job("million");
        Func<TaskContext, object?> noop = static _ => null;
        for (var i = 0; i < count; i++) job.Add($"t{i}", noop);
        var options = new RunOptions { Workers = 2, StateDirectory = Runs.TempDir(), Journal = null };

        var finished = 0;
        var passed = 0;
        await foreach (var result in JobRunner.RunAsync(job, options, TestContext.Current.CancellationToken))
        {
            finished++;
            if (result.Outcome == Outcome.Passed) passed++;
        }

        Assert.Equal(count, finished);
        Assert.Equal(count, passed);
    }
}
