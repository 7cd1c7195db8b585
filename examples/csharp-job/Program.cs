// A job built in C#: download-like work fans out, a reducer reads its dependencies' values, a command runs
// beside them, and results are printed as each task finishes — not at the end.
using Skein;
using Skein.Engine;

var job = new Job("word-count");
string[] documents = ["the quick brown fox", "jumps over the lazy dog", "the end"];
for (var i = 0; i < documents.Length; i++)
{
    var text = documents[i];
    job.Add($"count-{i}", async (ctx, ct) =>
    {
        await Task.Yield();
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
    });
}
job.Add("total", ctx =>
{
    var total = 0;
    for (var i = 0; i < documents.Length; i++) total += ctx.GetResult<int>($"count-{i}");
    ctx.Report("non-empty", total > 0 ? Outcome.Passed : Outcome.Failed);
    return total;
}, needs: [.. Enumerable.Range(0, documents.Length).Select(i => $"count-{i}")]);
job.AddCommand("hostname", "uname -n");

var options = new RunOptions { StateDirectory = Path.Combine(Path.GetTempPath(), "skein-example") };
var failed = 0;
await foreach (var result in JobRunner.RunAsync(job, options))
{
    Console.WriteLine($"{result.Outcome.ToWireName(),-9} {result.TaskId,-10} {result.Value}");
    if (!result.Outcome.IsSuccess()) failed++;
}
return failed == 0 ? 0 : 1;
