using System.Globalization;
using Skein.Pipelines.Elements.Processes;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Runs a program — an argument vector, not a shell line (use <see cref="Shell"/> for one) — and outputs what it
/// wrote, how it ended, how long it took and how much memory it used at its peak. A workload of a benchmark, usually
/// with <c>.Invocations(n)</c>: each invocation runs in a fresh directory, and every output becomes the list of the n values.
/// </summary>
/// <remarks>
/// The program leads its own process group with its standard input at end of file; cancellation (and a timeout)
/// kills the whole group, and what it left running in its group is killed when it exits. On Linux the CPU times and
/// the peak memory are read with wait4 when the program is reaped (see <see cref="MaxRss"/>).
/// </remarks>
/// <example><code>new Command("java", "-jar", "bench.jar", "--size", "1000") { Environment = { ["JAVA_OPTS"] = "-Xmx1g" } }.Invocations(5)</code></example>
public sealed class Command : Element
{
    /// <summary>Runs <paramref name="arguments"/>: the program (a name looked up on PATH, or a path) and its arguments.</summary>
    public Command(params IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0 || string.IsNullOrEmpty(arguments[0])) throw new ArgumentException("a command needs a program to run", nameof(arguments));
        Arguments = [.. arguments];
    }

    /// <summary>Runs <paramref name="script"/> with <c>/bin/sh -c</c>: pipes, redirections and globs, when a shell is what is wanted.</summary>
    public static Command Shell(string script)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        return new Command("/bin/sh", "-c", script);
    }

    /// <summary>The argument vector: the program, then its arguments, passed as they are.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Variables added to or replacing the inherited environment; a null value removes one.</summary>
    public IDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Where the program runs: null for the invocation's fresh directory; a relative path is taken from there.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The exit codes that count as success; any other fails the element (default: 0 only).</summary>
    public IReadOnlyList<int> AllowedExitCodes { get; init; } = [0];

    /// <summary>Most bytes of standard output (and of standard error) kept; a program writing more fails the element.</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The clock of <see cref="WallTime"/>.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Port <c>stdout</c>: what the program wrote to its standard output (UTF-8).</summary>
    [Output] public string Stdout { get; private set; } = "";

    /// <summary>Port <c>stderr</c>: what the program wrote to its standard error (UTF-8).</summary>
    [Output] public string Stderr { get; private set; } = "";

    /// <summary>Port <c>exit-code</c>: the exit status, or 128 + the signal that ended the program.</summary>
    [Output] public int ExitCode { get; private set; }

    /// <summary>Port <c>wall-time</c>: seconds from start to exit.</summary>
    [Output] public double WallTime { get; private set; }

    /// <summary>Port <c>user-time</c>: CPU seconds the program spent in user mode (with the children it waited for).</summary>
    [Output] public double UserTime { get; private set; }

    /// <summary>Port <c>system-time</c>: CPU seconds the kernel spent on the program's behalf (with the children it waited for).</summary>
    [Output] public double SystemTime { get; private set; }

    /// <summary>
    /// Port <c>max-rss</c>: the program's peak resident set size in bytes (or of a child it waited for, if larger); 0
    /// where the platform does not tell.
    /// </summary>
    /// <remarks>
    /// On Linux it is wait4's figure when that is above the peak of the process that started the program: the kernel
    /// charges a spawned program the memory of its spawner, so below that the program's own peak is hidden, and the
    /// highest VmHWM read from /proc while it ran stands in (a program gone within a millisecond may read 0).
    /// </remarks>
    [Output] public long MaxRss { get; private set; }

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directory = WorkingDirectory is null ? context.WorkingDirectory : Path.GetFullPath(WorkingDirectory, context.WorkingDirectory);
        if (!Directory.Exists(directory)) throw new ElementFailedException(context.Element, $"the working directory {directory} does not exist");
        var environment = ChildProcess.Environment(new Dictionary<string, string?>(Environment, StringComparer.Ordinal));

        ChildExit exit;
        try
        {
            var program = ChildProcess.Resolve(Arguments[0], directory, environment);
            exit = await ChildProcess.RunAsync(new ChildStart(program, Arguments, directory, environment, MaxOutputBytes), Clock, cancellationToken).ConfigureAwait(false);
        }
        catch (ChildStartException ex)
        {
            throw new ElementFailedException(context.Element, $"{Describe()} could not start: {ex.Message}", ex);
        }

        Stdout = exit.StandardOutput.Text;
        Stderr = exit.StandardError.Text;
        ExitCode = exit.ExitCode;
        WallTime = exit.WallTime.TotalSeconds;
        UserTime = exit.UserTime.TotalSeconds;
        SystemTime = exit.SystemTime.TotalSeconds;
        MaxRss = exit.MaxRssBytes;
        await context.Log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{Describe()}: exit {ExitCode}, {WallTime:0.###} s, max RSS {MaxRss / (1024.0 * 1024.0):0.#} MiB")).ConfigureAwait(false);

        if (exit.StandardOutput.Truncated || exit.StandardError.Truncated)
        {
            var stream = exit.StandardOutput.Truncated ? exit.StandardOutput : exit.StandardError;
            throw new ElementFailedException(context.Element, string.Create(CultureInfo.InvariantCulture,
                $"{Describe()} wrote {stream.TotalBytes} bytes to {(exit.StandardOutput.Truncated ? "stdout" : "stderr")}, more than MaxOutputBytes ({MaxOutputBytes})"));
        }
        if (!AllowedExitCodes.Contains(ExitCode))
        {
            var tail = Stderr.Length > 400 ? "…" + Stderr[^400..] : Stderr;
            throw new ElementFailedException(context.Element,
                $"{Describe()} exited with {ExitCode}{(tail.Trim().Length > 0 ? ": " + tail.Trim() : "")}");
        }
    }

    private string Describe() => string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a));
}
