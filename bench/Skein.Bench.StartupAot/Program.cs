using System.Globalization;
using Skein;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Engine.Journal;

// What `skein run --local FILE` does for a job, minus the command-line parser, Spectre's tables and the cluster.
if (args is not [var file])
{
    Console.Error.WriteLine("usage: skein-run-probe JOB-FILE");
    return 2;
}
var loaded = JobFileLoader.Load(file);
var problems = new List<ValidationProblem>(loaded.Problems);
if (loaded.Job is { } loadedJob) problems.AddRange(JobValidator.Plan(loadedJob).Problems);
foreach (var problem in problems) Console.Error.WriteLine($"skein: {problem}");
if (loaded.Job is not { } job || problems.Exists(p => p.Severity == ProblemSeverity.Error)) return 2;

await using var journal = SqliteRunJournal.Open(".skein");
var options = new RunOptions { Workers = Environment.ProcessorCount, Journal = journal, StateDirectory = ".skein", ReportStarts = true };
await using var run = await JobRun.StartAsync(job, options, CancellationToken.None);
var started = DateTimeOffset.UtcNow;
await foreach (var e in run.ReadEventsAsync(CancellationToken.None))
{
    var at = (DateTimeOffset.UtcNow - started).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
    Console.WriteLine($"[{at,8}s] {e}");
}
var summary = await run.Completion;
Console.WriteLine($"run {summary.RunId} {(summary.Succeeded ? "passed" : "failed")} in {summary.Duration.TotalMilliseconds:0}ms: {summary.Total} task(s)");
return summary.Succeeded ? 0 : 1;
