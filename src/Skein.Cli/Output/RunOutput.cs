using System.CommandLine;
using Skein.Cli.Reporting;

namespace Skein.Cli.Output;

/// <summary>How <c>skein run</c> and <c>skein attach</c> show what tasks print while they run.</summary>
internal enum OutputMode
{
    /// <summary>The last lines of each running task, in the live view (a terminal; elsewhere <see cref="Stream"/>).</summary>
    Tail,

    /// <summary>Every line as it comes, after its task's id, among the progress lines.</summary>
    Stream,

    /// <summary>Nothing of it: the progress alone (<c>--quiet</c>).</summary>
    None,
}

/// <summary>The <c>--output</c> and <c>--quiet</c> options, and the views they choose.</summary>
internal static class RunOutput
{
    public static Option<string?> OutputOption()
    {
        var option = new Option<string?>("--output")
        {
            Description = "What tasks print, while they run: tail (the last lines of each running task, in the live view; the default on a terminal), " +
                          "stream (every line after its task's id; the default elsewhere) or none.",
            HelpName = "tail|stream|none",
        };
        option.AcceptOnlyFromAmong("tail", "stream", "none");
        return option;
    }

    public static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "Show no task output while the run goes (--output none): only its progress." };

    public static OutputMode? Read(string? output, bool quiet)
    {
        if (quiet && output is not null and not "none") throw new SkeinException($"--quiet shows no task output: it cannot go with --output {output}");
        if (quiet) return OutputMode.None;
        return output switch
        {
            "tail" => OutputMode.Tail,
            "stream" => OutputMode.Stream,
            "none" => OutputMode.None,
            _ => null,
        };
    }

    /// <summary>
    /// The progress view and, unless output is off, what follows the tasks' output into it. The live view runs when
    /// output is a terminal and neither <c>--plain</c> nor <c>--output stream</c> asks for lines; streamed lines are
    /// coloured only on a terminal.
    /// </summary>
    public static (IRunProgress Progress, TaskOutputPump? Pump) Views(
        string jobName, IReadOnlyList<string> taskIds, bool plain, OutputMode? mode, TextWriter output, Func<TaskLogSource> source)
    {
        var live = !plain && mode is not OutputMode.Stream && LiveProgress.IsSupported(output);
        var chosen = mode ?? (live ? OutputMode.Tail : OutputMode.Stream);
        if (chosen == OutputMode.None) return (live ? new LiveProgress(jobName, taskIds.Count) : new PlainProgress(output), null);
        if (live)
        {
            var tails = new OutputTails();
            return (new LiveProgress(jobName, taskIds.Count, tails), new TaskOutputPump(source(), tails));
        }
        // Progress lines and output lines share one synchronized writer: each line is written whole.
        var lines = TextWriter.Synchronized(output);
        var colour = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is not { Length: > 0 };
        return (new PlainProgress(lines), new TaskOutputPump(source(), new StreamedOutput(lines, taskIds, colour)));
    }
}
