using System.Text;

namespace Skein.Cli.Output;

/// <summary>
/// Every line a task prints, as it comes, after the task's id — <c>build   | compiling…</c> — as <c>docker compose</c>
/// shows its services: the prefix coloured per task on a terminal, plain otherwise. Each line is written with one call
/// to a synchronized writer, so lines of tasks printing at once (and the progress lines) never mix within a line.
/// </summary>
internal sealed class StreamedOutput : ITaskOutputView
{
    /// <summary>Prefixes are padded to the longest task id up to this width; a longer id just makes its prefix longer.</summary>
    private const int MaxPadding = 24;

    private static readonly string[] Colours = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"];

    private readonly TextWriter _output;
    private readonly bool _colour;
    private readonly int _width;
    private readonly Dictionary<string, int> _order;

    /// <param name="output">A synchronized writer (<see cref="TextWriter.Synchronized"/>), shared with the progress lines.</param>
    public StreamedOutput(TextWriter output, IReadOnlyList<string> taskIds, bool colour)
    {
        _output = output;
        _colour = colour;
        _width = Math.Min(MaxPadding, taskIds.Count == 0 ? 0 : taskIds.Max(id => id.Length));
        _order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in taskIds) _order.TryAdd(id, _order.Count);
    }

    public bool ShowsFinishedTasks => true;

    public void Line(string taskId, int attempt, string text)
    {
        var name = Reporting.ReportText.ForTerminal(taskId);
        var prefix = attempt > 1 ? $"{name} #{attempt}" : name;
        var line = new StringBuilder(prefix.Length + text.Length + 16);
        if (_colour) line.Append("\u001b[").Append(ColourOf(taskId)).Append('m');
        line.Append(prefix.PadRight(_width)).Append(" |");
        if (_colour) line.Append("\u001b[0m");
        if (text.Length > 0) line.Append(' ').Append(text);
        line.Append('\n');
        _output.Write(line.ToString());
    }

    public void Ended(string taskId)
    {
    }

    private string ColourOf(string taskId)
    {
        lock (_order)
        {
            if (!_order.TryGetValue(taskId, out var index)) _order[taskId] = index = _order.Count; // a task added while running
            return Colours[index % Colours.Length];
        }
    }
}
