using Skein.Engine.Templates;
using System.Text;
using Skein.Shared.Processes;

namespace Skein.Engine;

/// <summary>A task whose work is a shell command, run by <c>bash -c</c> as the leader of its own process group.</summary>
public sealed class CommandAction : ITaskAction, IReadsTaskOutputs
{
    /// <summary>bash's exit codes for "command not found" and "not executable": the task could not run at all.</summary>
    private const int CommandNotFound = 127;
    private const int NotExecutable = 126;

    /// <summary>How long output is still read after the command exits: a grandchild that escaped the group could hold the pipes open forever.</summary>
    /// <remarks>
    /// This limit and the kill grace bound a real process, so they run on the system clock, not the run's
    /// TimeProvider: under a fake clock a command that ignored SIGTERM would never get its SIGKILL. The run's own
    /// deadlines (the timeout, and how long it waits for <see cref="StopsWithin"/>) do use the run's clock.
    /// </remarks>
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(2);

    public CommandAction(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Spec = new CommandSpec { Command = command };
    }

    /// <summary>An action that runs the command the data describes (as a remote node would, given the same data).</summary>
    public CommandAction(CommandSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.Command, nameof(spec.Command));
        Spec = spec;
    }

    /// <summary>The command as data: what an executor ships when the attempt runs somewhere else.</summary>
    public CommandSpec Spec { get; private set; }

    public string Command => Spec.Command;

    /// <summary>Directory the command runs in; null means the current directory.</summary>
    public string? WorkingDirectory
    {
        get => Spec.WorkingDirectory;
        init => Spec = Spec with { WorkingDirectory = value };
    }

    /// <summary>Variables added to (or replacing) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get => Spec.Environment;
        init => Spec = Spec with { Environment = value };
    }

    /// <summary>Exit codes that mean "passed with problems" (warned) instead of failed.</summary>
    public IReadOnlyList<int> WarnExitCodes
    {
        get => Spec.WarnExitCodes;
        init => Spec = Spec with { WarnExitCodes = value };
    }

    /// <summary>How long a terminated command may take to exit after SIGTERM before its group gets SIGKILL.</summary>
    public TimeSpan KillGrace
    {
        get => Spec.KillGrace;
        init => Spec = Spec with { KillGrace = value };
    }

    /// <summary>
    /// The longest a cancelled command takes to end: its kill grace, the output drain, and a margin. The run waits
    /// this long before giving up on it, instead of the abandon grace meant for C# code that cannot be killed.
    /// </summary>
    public TimeSpan? StopsWithin => KillGrace + OutputDrainLimit + TimeSpan.FromSeconds(1);

    private IReadOnlyList<(string Key, OutputReference Reference)>? _outputReferences;

    /// <summary>The <c>{{tasks.ID.outputs.NAME}}</c> in the command ("run") and in environment values ("env.NAME").</summary>
    public IReadOnlyList<(string Key, OutputReference Reference)> OutputReferences => _outputReferences ??= FindOutputReferences();

    private List<(string Key, OutputReference Reference)> FindOutputReferences()
    {
        var found = new List<(string Key, OutputReference Reference)>();
        foreach (var reference in OutputPlaceholders.Find(Command)) found.Add(("run", reference));
        foreach (var (name, value) in Environment)
        {
            foreach (var reference in OutputPlaceholders.Find(value)) found.Add(($"env.{name}", reference));
        }
        return found;
    }

    /// <summary>
    /// The command with its output references filled in: shell-quoted in the command (as every placeholder of a
    /// <c>run</c>), as they are in environment values.
    /// </summary>
    public ITaskAction WithOutputs(Func<OutputReference, string> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        if (OutputReferences.Count == 0) return this;
        Dictionary<string, string>? environment = null;
        foreach (var (name, value) in Environment)
        {
            if (!value.Contains("{{", StringComparison.Ordinal)) continue;
            environment ??= new Dictionary<string, string>(Environment, StringComparer.Ordinal);
            environment[name] = OutputPlaceholders.Fill(value, valueOf);
        }
        var spec = Spec with
        {
            Command = OutputPlaceholders.FillCommand(Command, valueOf),
            Environment = environment ?? Spec.Environment,
        };
        return new CommandAction(spec) { UseProcessStart = UseProcessStart };
    }

    public string Fingerprint
    {
        get
        {
            var env = new StringBuilder();
            foreach (var (key, value) in Environment.OrderBy(p => p.Key, StringComparer.Ordinal)) env.Append(key).Append('=').Append(value).Append('\n');
            return $"command\n{Command}\n{WorkingDirectory}\n{env}{string.Join(',', WarnExitCodes)}";
        }
    }

    /// <summary>How long the starting thread may block waiting for a command to exit before it waits asynchronously.</summary>
    private static readonly TimeSpan QuickCommand = TimeSpan.FromMilliseconds(5);

    /// <summary>Start through System.Diagnostics.Process and setsid(1) even where posix_spawn is available (tests cover both).</summary>
    internal bool UseProcessStart { get; init; }

    public ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        RunAsync(context.TaskId, context.Attempt, context.RunId, context, cancellationToken);

    /// <summary>
    /// Runs the command once as attempt <paramref name="attempt"/> of <paramref name="taskId"/>, its output and
    /// <c>::result</c> lines going to <paramref name="reporter"/>: what a node does with an attempt shipped to it.
    /// A reporter that is an <see cref="IAttemptOutput"/> receives the output as it comes instead of a log file.
    /// </summary>
    public async ValueTask<ActionResult> RunAsync(string taskId, int attempt, long runId, IAttemptReporter reporter, CancellationToken cancellationToken)
    {
        var workdir = WorkingDirectory ?? System.Environment.CurrentDirectory;
        if (!Directory.Exists(workdir)) return ActionResult.Errored($"working directory '{workdir}' does not exist");

        var run = runId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var variables = new List<KeyValuePair<string, string>>(Environment.Count + 5);
        variables.AddRange(Environment);
        variables.Add(new("SKEIN_TASK", taskId));
        variables.Add(new("SKEIN_TASK_ID", taskId));
        variables.Add(new("SKEIN_ATTEMPT", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        variables.Add(new("SKEIN_RUN", run));
        variables.Add(new("SKEIN_RUN_ID", run));

        using var output = new CommandOutput(reporter);
        CommandProcess process;
        try
        {
            process = CommandProcess.Start(Command, workdir, variables, UseProcessStart);
        }
        catch (CommandStartException ex)
        {
            return ActionResult.Errored($"could not start bash: {ex.Message}");
        }
        using var _ = process;
        var groupId = process.Id;
        ProcessGroups.Track(groupId);
        try
        {
            // Most commands are short: waiting a moment on this thread spares them every thread hand-over.
            var exited = process.WaitForExitBriefly(QuickCommand);
            if (exited) process.CompleteOutputReads();
            var stdout = output.PumpAsync(process.StandardOutput, parseResults: true);
            var stderr = output.PumpAsync(process.StandardError, parseResults: false);

            var stopped = false;
            if (!exited)
            {
                try
                {
                    await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    stopped = true;
                    await StopAsync(process, groupId).ConfigureAwait(false);
                }
                process.CompleteOutputReads();
            }

            await Task.WhenAll(stdout, stderr).WaitAsync(OutputDrainLimit, CancellationToken.None).ConfigureAwait(false);
            if (stopped) cancellationToken.ThrowIfCancellationRequested();
            return Classify(process.ExitCode, output);
        }
        catch (TimeoutException)
        {
            return Classify(process.ExitCode, output);
        }
        finally
        {
            // Whatever the command left running in its group goes with it.
            ProcessGroups.Kill(groupId);
            ProcessGroups.Forget(groupId);
        }
    }

    private async Task StopAsync(CommandProcess process, int groupId)
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

    private ActionResult Classify(int exitCode, CommandOutput output)
    {
        // A command whose output was lost did not do what was asked of it, whatever it exited with.
        if (output.LogError is { } lost) return new ActionResult(Outcome.Errored, $"exit code {exitCode}, but {lost}", null, exitCode);
        var lastLine = output.LastLine;
        var tail = string.IsNullOrEmpty(lastLine) ? "" : $": {lastLine}";
        var outputs = output.Outputs;
        if (exitCode == 0) return new ActionResult(Outcome.Passed, null, null, exitCode) { Outputs = outputs };
        foreach (var warn in WarnExitCodes)
        {
            if (warn == exitCode) return new ActionResult(Outcome.Warned, $"exit code {exitCode}{tail}", null, exitCode) { Outputs = outputs };
        }
        return exitCode switch
        {
            CommandNotFound => new ActionResult(Outcome.Errored, $"command not found (exit code 127){tail}", null, exitCode),
            NotExecutable => new ActionResult(Outcome.Errored, $"command not executable (exit code 126){tail}", null, exitCode),
            _ => new ActionResult(Outcome.Failed, $"exit code {exitCode}{tail}", null, exitCode) { Outputs = outputs },
        };
    }
}
