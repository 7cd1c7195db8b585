using System.Diagnostics;
using System.Text;
using Skein.Engine.Internal;

namespace Skein.Engine;

/// <summary>A task whose work is a shell command, run by <c>bash -c</c> as the leader of its own process group.</summary>
public sealed class CommandAction : ITaskAction
{
    /// <summary>bash's exit codes for "command not found" and "not executable": the task could not run at all.</summary>
    private const int CommandNotFound = 127;
    private const int NotExecutable = 126;

    /// <summary>How long output is still read after the command exits: a grandchild that escaped the group could hold the pipes open forever.</summary>
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(2);

    public CommandAction(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Command = command;
    }

    public string Command { get; }

    /// <summary>Directory the command runs in; null means the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to (or replacing) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Exit codes that mean "passed with problems" (warned) instead of failed.</summary>
    public IReadOnlyList<int> WarnExitCodes { get; init; } = [];

    /// <summary>How long a terminated command may take to exit after SIGTERM before its group gets SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a cancelled command takes to end: its kill grace, the output drain, and a margin. The engine
    /// waits this long before giving up on it, instead of the abandon grace meant for C# code that cannot be killed.
    /// </summary>
    internal TimeSpan StopWithin => KillGrace + OutputDrainLimit + TimeSpan.FromSeconds(1);

    public string Fingerprint
    {
        get
        {
            var env = new StringBuilder();
            foreach (var (key, value) in Environment.OrderBy(p => p.Key, StringComparer.Ordinal)) env.Append(key).Append('=').Append(value).Append('\n');
            return $"command\n{Command}\n{WorkingDirectory}\n{env}{string.Join(',', WarnExitCodes)}";
        }
    }

    public async ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var workdir = WorkingDirectory ?? System.Environment.CurrentDirectory;
        if (!Directory.Exists(workdir)) return ActionResult.Errored($"working directory '{workdir}' does not exist");

        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workdir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Command);
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        start.Environment["SKEIN_TASK_ID"] = context.TaskId;
        start.Environment["SKEIN_ATTEMPT"] = context.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SKEIN_RUN_ID"] = context.RunId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var output = new CommandOutput(context);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ActionResult.Errored($"could not start bash: {ex.Message}");
        }
        var groupId = process.Id;
        ProcessGroups.Track(groupId);
        try
        {
            process.StandardInput.Close();
            var stdout = output.PumpAsync(process.StandardOutput, parseResults: true);
            var stderr = output.PumpAsync(process.StandardError, parseResults: false);

            var stopped = false;
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopped = true;
                await StopAsync(process, groupId).ConfigureAwait(false);
            }

            await Task.WhenAll(stdout, stderr).WaitAsync(OutputDrainLimit, CancellationToken.None).ConfigureAwait(false);
            if (stopped) cancellationToken.ThrowIfCancellationRequested();
            return Classify(process.ExitCode, output.LastLine);
        }
        catch (TimeoutException)
        {
            return Classify(process.ExitCode, output.LastLine);
        }
        finally
        {
            // Whatever the command left running in its group goes with it.
            ProcessGroups.Kill(groupId);
            ProcessGroups.Forget(groupId);
        }
    }

    private async Task StopAsync(Process process, int groupId)
    {
        ProcessGroups.Terminate(groupId);
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ProcessGroups.Kill(groupId);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private ActionResult Classify(int exitCode, string? lastLine)
    {
        var tail = string.IsNullOrEmpty(lastLine) ? "" : $": {lastLine}";
        if (exitCode == 0) return new ActionResult(Outcome.Passed, null, null, exitCode);
        foreach (var warn in WarnExitCodes)
        {
            if (warn == exitCode) return new ActionResult(Outcome.Warned, $"exit code {exitCode}{tail}", null, exitCode);
        }
        return exitCode switch
        {
            CommandNotFound => new ActionResult(Outcome.Errored, $"command not found (exit code 127){tail}", null, exitCode),
            NotExecutable => new ActionResult(Outcome.Errored, $"command not executable (exit code 126){tail}", null, exitCode),
            _ => new ActionResult(Outcome.Failed, $"exit code {exitCode}{tail}", null, exitCode),
        };
    }
}
