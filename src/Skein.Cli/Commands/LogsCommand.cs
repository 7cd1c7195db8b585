using System.CommandLine;
using Skein.Engine.Journal;

namespace Skein.Cli.Commands;

/// <summary><c>skein logs RUN TASK</c>: print what a task's attempts wrote.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = RunReference.Help };
        var task = new Argument<string>("TASK") { Description = "The task id." };
        var attempt = new Option<int?>("--attempt") { Description = "Only this attempt (default: every attempt, in order)." };
        var state = CommonOptions.State();
        var command = new Command("logs", "Print the output of a task in a run.") { run, task, attempt, state };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            using var journal = JournalReader.Open(parse.GetValue(state)!);
            var runId = await RunReference.ResolveAsync(journal, parse.GetValue(run)!, ct).ConfigureAwait(false);
            var taskId = parse.GetValue(task)!;
            var attempts = await journal.GetAttemptsAsync(runId, taskId, ct).ConfigureAwait(false);
            var only = parse.GetValue(attempt);
            var printed = 0;
            foreach (var a in attempts)
            {
                if (only is { } n && a.Attempt != n) continue;
                printed++;
                if (attempts.Count > 1 || only is not null) await output.WriteLineAsync($"── attempt {a.Attempt}{(a.Outcome is { } o ? $": {o.ToWireName()}" : "")} ──").ConfigureAwait(false);
                if (a.LogPath is null || !File.Exists(a.LogPath))
                {
                    await output.WriteLineAsync("(no output)").ConfigureAwait(false);
                    continue;
                }
                using var reader = new StreamReader(a.LogPath);
                var buffer = new char[8192];
                int read;
                while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            if (only is { } wanted && printed == 0)
                throw new SkeinException($"task '{taskId}' of run {runId} has no attempt {wanted} (it has {attempts.Count})");
            return ExitCodes.Success;
        });
        return command;
    }
}
