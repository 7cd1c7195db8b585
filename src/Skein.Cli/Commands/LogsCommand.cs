using System.CommandLine;
using System.Text;
using Skein.Cluster.Runs;
using Skein.Engine.Journal;

namespace Skein.Cli.Commands;

/// <summary><c>skein logs RUN TASK</c>: print what a task's attempts wrote — from the cluster, live with --follow, or from the local journal.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = RunReference.Help };
        var task = new Argument<string>("TASK") { Description = "The task id." };
        var attempt = new Option<int?>("--attempt") { Description = "Only this attempt (default: every attempt, in order)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the task writes until it has finished (a run on a cluster)." };
        var state = CommonOptions.State();
        var (cluster, tokenFile, local) = JournalSource.Options();
        var command = new Command("logs", "Print the output of a task in a run: from the cluster when one is named, else from the state directory's journal.")
        {
            run, task, attempt, follow, state, cluster, tokenFile, local,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var taskId = parse.GetValue(task)!;
            var only = parse.GetValue(attempt);
            if (JournalSource.Cluster(parse, cluster, tokenFile, local, state) is { } client)
            {
                using (client)
                {
                    var remoteRun = await RunReference.ResolveAsync(client, parse.GetValue(run)!, ct).ConfigureAwait(false);
                    await PrintRemoteAsync(client, remoteRun, taskId, only, parse.GetValue(follow), output, error, ct).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }
            if (parse.GetValue(follow))
                throw new SkeinException("--follow follows a run on a cluster, and none is named; a run in this state directory's journal has ended or belongs to another process");
            using var journal = JournalReader.Open(parse.GetValue(state)!);
            var runId = await RunReference.ResolveAsync(journal, parse.GetValue(run)!, ct).ConfigureAwait(false);
            var attempts = await journal.GetAttemptsAsync(runId, taskId, ct).ConfigureAwait(false);
            if (attempts.Count == 0)
            {
                // A task that did not run here: its result was reused from the run that produced it (whose log is
                // shown), or it never ran at all (which is said); never nothing and exit 0.
                var details = await journal.GetRunAsync(runId, ct).ConfigureAwait(false);
                if (await ExplainNoOutputAsync(details, runId, taskId, error).ConfigureAwait(false) is not { } producer) return ExitCodes.Success;
                runId = producer;
                attempts = await journal.GetAttemptsAsync(runId, taskId, ct).ConfigureAwait(false);
                if (attempts.Count == 0) throw new SkeinException($"run {runId}, where task '{taskId}' ran, has no record of its attempts (its log is gone)");
            }
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

    /// <summary>
    /// Says on <paramref name="error"/> why a task has no attempts in a run; returns the run its reused result came
    /// from, whose log is then the one to show, or null when it never ran anywhere.
    /// </summary>
    private static async Task<long?> ExplainNoOutputAsync(RunDetails details, long runId, string taskId, TextWriter error)
    {
        var task = details.Tasks.FirstOrDefault(t => t.TaskId == taskId);
        if (task is { Reused: true, ReusedFrom: { } producer } && producer != runId)
        {
            await error.WriteLineAsync($"skein: task '{taskId}' did not run in run {runId}: --resume reused its result from run {producer}; its output there follows").ConfigureAwait(false);
            return producer;
        }
        var why = task?.Outcome is { } outcome ? $" ({outcome.ToWireName()}{(task.Reason is { } reason ? $": {reason}" : "")})" : "";
        await error.WriteLineAsync($"skein: task '{taskId}' never ran in run {runId}{why}: it has no output").ConfigureAwait(false);
        return null;
    }

    private static async Task PrintRemoteAsync(RunsClient client, long runId, string taskId, int? only, bool follow, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var any = false;
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];
        var several = only is not null;
        await foreach (var part in client.LogsAsync(runId, taskId, only ?? 0, follow, ct).ConfigureAwait(false))
        {
            any = true;
            if (part.AttemptStart)
            {
                // As for a local journal: a header per attempt when there are several (or one was asked for).
                several |= part.Attempts > 1 || part.Attempt > 1;
                if (several)
                {
                    FlushDecoder(decoder, chars, output);
                    await output.WriteLineAsync($"── attempt {part.Attempt}{(part.Outcome is { } o ? $": {o.ToWireName()}" : "")} ──").ConfigureAwait(false);
                }
                continue;
            }
            var count = decoder.GetChars(part.Data.Span, chars, flush: false);
            await output.WriteAsync(chars.AsMemory(0, count), ct).ConfigureAwait(false);
            if (follow) await output.FlushAsync(ct).ConfigureAwait(false);
        }
        FlushDecoder(decoder, chars, output);
        await output.FlushAsync(ct).ConfigureAwait(false);
        if (any) return;
        var details = await client.ShowAsync(runId, ct).ConfigureAwait(false);
        if (await ExplainNoOutputAsync(details, runId, taskId, error).ConfigureAwait(false) is { } producer)
            await PrintRemoteAsync(client, producer, taskId, only, follow: false, output, error, ct).ConfigureAwait(false);
    }

    private static void FlushDecoder(Decoder decoder, char[] chars, TextWriter output)
    {
        var count = decoder.GetChars([], chars, flush: true);
        if (count > 0) output.Write(chars, 0, count);
    }
}
