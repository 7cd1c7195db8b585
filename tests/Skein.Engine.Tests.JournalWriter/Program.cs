using Skein;
using Skein.Engine;
using Skein.Engine.Journal;

// Writes one run into the journal of the state directory given as the argument, task after task, until it is
// killed. After every flush it prints "flushed N": the first N tasks are committed, whatever happens next.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Skein.Engine.Tests.JournalWriter STATE_DIRECTORY");
    return 2;
}

var journal = SqliteRunJournal.Open(args[0]);
var started = DateTimeOffset.UtcNow;
var runId = await journal.BeginRunAsync(new RunRecord("killed", null, started, null, "journal writer"), CancellationToken.None);
Console.WriteLine($"run {runId}");
for (var i = 0; ; i++)
{
    var taskId = $"t{i}";
    journal.RecordAttemptStarted(runId, taskId, 1, started, null);
    journal.RecordAttemptFinished(runId, taskId, 1, Outcome.Passed, null, 0, started);
    journal.RecordTaskFinished(runId, new TaskResult { TaskId = taskId, Outcome = Outcome.Passed, Attempts = 1, StartedAt = started });
    if (i % 1_000 == 999)
    {
        await journal.FlushAsync(CancellationToken.None);
        Console.WriteLine($"flushed {i + 1}");
    }
}
