using System.Text;

namespace Skein.Pipelines.Elements.Processes;

/// <summary>What to start: a program by path with its whole argument vector (no shell), where, with which variables.</summary>
/// <param name="Program">The program's path (resolved through PATH by <see cref="ChildProcess.Resolve"/>).</param>
/// <param name="Arguments">argv, the program's name as argv[0] included.</param>
/// <param name="Environment">The complete environment of the child.</param>
/// <param name="OutputLimit">Bytes kept of each of standard output and error; more is read and dropped.</param>
internal sealed record ChildStart(string Program, IReadOnlyList<string> Arguments, string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment, long OutputLimit);

/// <summary>How a child ended and what it cost.</summary>
/// <param name="ExitCode">Its exit status, or 128 + the signal that ended it.</param>
/// <param name="MaxRssBytes">Its peak resident set size in bytes, or 0 where the platform does not tell.</param>
internal sealed record ChildExit(int ExitCode, CapturedOutput StandardOutput, CapturedOutput StandardError, TimeSpan WallTime,
    TimeSpan UserTime, TimeSpan SystemTime, long MaxRssBytes);

/// <summary>One output stream of a child: the text kept and how many bytes it wrote in all.</summary>
internal sealed record CapturedOutput(string Text, long TotalBytes, long Limit)
{
    public bool Truncated => TotalBytes > Limit;

    /// <summary>Reads a stream to its end, keeping the first <paramref name="limit"/> bytes, so the child never blocks on a full pipe.</summary>
    public static CapturedOutput Read(Stream stream, long limit)
    {
        var buffer = new byte[16 * 1024];
        using var kept = new MemoryStream();
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
            var room = limit - kept.Length;
            if (room > 0) kept.Write(buffer, 0, (int)Math.Min(room, read));
        }
        return new CapturedOutput(Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length), total, limit);
    }
}

/// <summary>The program could not be started; the message says why.</summary>
internal sealed class ChildStartException(string message) : Exception(message);

/// <summary>
/// Runs a program directly (no shell) as the leader of its own session and process group, and reports its exit
/// status, output, times and peak memory. On Linux the child is reaped with wait4, whose resource usage is the
/// child's own; elsewhere System.Diagnostics.Process reports what the platform offers.
/// </summary>
internal static class ChildProcess
{
    public static Task<ChildExit> RunAsync(ChildStart start, TimeProvider clock, CancellationToken cancellationToken) =>
        OperatingSystem.IsLinux()
            ? LinuxChildProcess.RunAsync(start, clock, cancellationToken)
            : PortableChildProcess.RunAsync(start, clock, cancellationToken);

    /// <summary>
    /// The program's path: as given when it names a path (relative to <paramref name="workingDirectory"/>), else the
    /// first executable of that name on the child's PATH (as execvp would search it, but with the child's PATH).
    /// </summary>
    public static string Resolve(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        if (program.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && program.Contains('\\', StringComparison.Ordinal)))
        {
            var path = Path.GetFullPath(program, workingDirectory);
            if (!File.Exists(path)) throw new ChildStartException($"'{program}' does not exist (looked for {path})");
            return path;
        }
        environment.TryGetValue("PATH", out var searchPath);
        foreach (var directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory.Length == 0 ? workingDirectory : directory, program);
            if (IsExecutable(candidate)) return Path.GetFullPath(candidate);
            if (OperatingSystem.IsWindows() && IsExecutable(candidate + ".exe")) return Path.GetFullPath(candidate + ".exe");
        }
        throw new ChildStartException($"'{program}' was not found on PATH ({searchPath ?? "unset"})");
    }

    /// <summary>The inherited environment with <paramref name="overrides"/> on top; a null value removes the variable.</summary>
    public static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string?> overrides)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Value is string value) variables[(string)entry.Key] = value;
        }
        foreach (var (key, value) in overrides)
        {
            if (value is null) variables.Remove(key);
            else variables[key] = value;
        }
        return variables;
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return true;
        return (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
