namespace Skein.Engine;

/// <summary>A task whose work is a shell command, run by <c>bash -c</c> in its own process group.</summary>
public sealed partial class CommandAction : ITaskAction
{
    public CommandAction(string command) => Command = command;

    public string Command { get; }

    /// <summary>Directory the command runs in; null means the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to (or replacing) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Exit codes that mean "passed with problems" (warned) instead of failed.</summary>
    public IReadOnlyList<int> WarnExitCodes { get; init; } = [];

    /// <summary>How long a terminated command may take to exit after SIGTERM before it gets SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    public string Fingerprint
    {
        get
        {
            var env = string.Join('\n', Environment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            return $"command\n{Command}\n{WorkingDirectory}\n{env}\n{string.Join(',', WarnExitCodes)}";
        }
    }

    public ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
