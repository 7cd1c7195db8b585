using Spectre.Console;

namespace Skein.Cli;

/// <summary>A Spectre console over a command's output: colours on a terminal, plain text that does not wrap into pipes and files.</summary>
internal static class Consoles
{
    /// <summary>The width tables are laid out in when output is not a terminal: wider than any row.</summary>
    internal const int UnwrappedWidth = 1 << 20;

    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        // Into a pipe or a file a table is as wide as its content: a row wrapped to an assumed 80 columns would read as
        // several rows to a script (and to grep).
        if (!terminal) console.Profile.Width = UnwrappedWidth;
        return console;
    }
}
