namespace Skein.Engine;

/// <summary>
/// A command task's definition as plain data: everything needed to run it, with no C# code in it, so it can be
/// stored, compared, or sent to another process (it serializes with System.Text.Json as it is).
/// <see cref="CommandAction"/> is the action that runs one.
/// </summary>
/// <remarks>
/// What the scheduler decides about the task (needs, claims, uses, retries) and the attempt's timeout stay on
/// <see cref="TaskSpec"/> and <see cref="TaskAttempt"/>: they are the run's business, not the command's.
/// </remarks>
public sealed record CommandSpec
{
    /// <summary>How long a terminated command may take to exit when nothing else is said.</summary>
    public static readonly TimeSpan DefaultKillGrace = TimeSpan.FromSeconds(5);

    /// <summary>The command line, run by <c>bash -c</c>.</summary>
    public required string Command { get; init; }

    /// <summary>Directory the command runs in; null means the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables added to (or replacing) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Exit codes that mean "passed with problems" (warned) instead of failed.</summary>
    public IReadOnlyList<int> WarnExitCodes { get; init; } = [];

    /// <summary>How long a terminated command may take to exit after SIGTERM before its group gets SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = DefaultKillGrace;

    /// <summary>Equal when every field is: the environment compared as a set of pairs, the exit codes in order.</summary>
    public bool Equals(CommandSpec? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Command != other.Command || WorkingDirectory != other.WorkingDirectory || KillGrace != other.KillGrace) return false;
        if (!WarnExitCodes.SequenceEqual(other.WarnExitCodes) || Environment.Count != other.Environment.Count) return false;
        foreach (var (key, value) in Environment)
        {
            if (!other.Environment.TryGetValue(key, out var otherValue) || value != otherValue) return false;
        }
        return true;
    }

    public override int GetHashCode() => HashCode.Combine(Command, WorkingDirectory, KillGrace, Environment.Count, WarnExitCodes.Count);
}
