using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class ValueTests
{
    [Fact]
    public async Task An_async_task_passes_its_value_to_its_dependents()
    {
        var job = new Job("async-values")
            .Add("fetch", async (_, ct) =>
            {
                await Task.Yield();
                return "payload";
            })
            .Add("parse", ctx => ctx.GetResult<string>("fetch").Length, "fetch");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal("payload", results["fetch"].Value);
        Assert.Equal(7, results["parse"].Value);
    }

    [Fact]
    public async Task Asking_for_the_value_of_a_task_not_needed_fails_the_asker_with_a_hint()
    {
        var job = new Job("undeclared")
            .Add("a", _ => 1)
            .Add("b", ctx => ctx.GetResult<int>("c"))
            .Add("c", _ => 3)
            .Add("d", ctx => ctx.GetResult<string>("a"), "a");

        var results = await Runs.ResultsByIdAsync(job, Runs.Options(workers: 1));

        Assert.Equal(Outcome.Failed, results["b"].Outcome);
        Assert.Equal("InvalidOperationException: Task 'b' asked for the result of 'c', which has not finished; add it to 'b' needs.", results["b"].Reason);
        Assert.Equal(Outcome.Failed, results["d"].Outcome);
        Assert.Equal("InvalidOperationException: Task 'd' asked for the result of 'a' as String, but it is Int32.", results["d"].Reason);
    }
}
