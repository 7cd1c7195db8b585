using Spectre.Console;
using Spectre.Console.Rendering;

namespace Skein.Cli.Output;

/// <summary>A running task's last lines as rows of the live view: indented, dimmed, cut to the terminal's width so that none wraps.</summary>
internal static class OutputTailRows
{
    private const string Indent = "      ";

    public static IEnumerable<IRenderable> Of(OutputTails tails, string taskId)
    {
        var room = Math.Max(10, AnsiConsole.Profile.Width - Indent.Length - 1);
        foreach (var line in tails.Of(taskId))
        {
            var shown = line.Length <= room ? line : string.Concat(line.AsSpan(0, room - 1), "…");
            yield return new Text(Indent + shown.Replace('\t', ' '), new Style(Color.Grey));
        }
    }
}
