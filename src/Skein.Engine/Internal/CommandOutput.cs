using System.Buffers;
using System.Text;

namespace Skein.Engine;

/// <summary>
/// Collects a command's stdout and stderr into the attempt's log file, turns <c>::result</c> lines into
/// sub-results and <c>::output</c> lines into outputs, and remembers the last line for the failure message.
/// </summary>
/// <remarks>
/// Output is read in chunks and memory stays bounded whatever the command prints: of each line only the first
/// <see cref="MaxKeptLine"/> characters are kept (for <c>::result</c> parsing and the failure message), while the log
/// file gets every character. Whole lines go to the log at once, so the lines of stdout and stderr do not mix; a line
/// longer than the limit is written in pieces as it comes.
/// </remarks>
internal sealed class CommandOutput(IAttemptReporter context) : IDisposable
{
    /// <summary>How much of one line is kept in memory; a longer line is logged whole but read only this far.</summary>
    internal const int MaxKeptLine = 64 * 1024;

    /// <summary>
    /// How many <c>::result</c> lines of one attempt become results: each is kept until the run ends and travels in
    /// the journal and the reports, so a command printing them in a loop must not grow those without bound.
    /// </summary>
    internal const int MaxResults = 10_000;

    private const int MaxTailLength = 200;
    private int _results;
    private const int ChunkSize = 4096;
    private readonly Lock _lock = new();
    private StreamWriter? _log;
    private bool _disposed;

    public string? LastLine { get; private set; }

    private Dictionary<string, string>? _outputs;

    /// <summary>The outputs the command set (a name set twice keeps its last value).</summary>
    public IReadOnlyDictionary<string, string> Outputs
    {
        get
        {
            lock (_lock) return _outputs is null ? TaskOutputs.None : new Dictionary<string, string>(_outputs, StringComparer.Ordinal);
        }
    }

    public async Task PumpAsync(StreamReader reader, bool parseResults)
    {
        // Pooled: most commands print a line or two, and thousands of them may run a second.
        var buffer = ArrayPool<char>.Shared.Rent(ChunkSize);
        try
        {
            var line = new LineState();
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(0, ChunkSize)).ConfigureAwait(false)) > 0)
            {
                Take(line, buffer.AsSpan(0, read), parseResults);
                // A short read: the command has gone quiet for now. What it wrote reaches the file, so that a reader
                // following the log (skein logs --follow) sees it while the command runs; a busy command fills whole
                // chunks and is flushed only as the buffer fills.
                if (read < ChunkSize) FlushLog();
            }
            if (line.Pending.Length > 0 || line.Kept.Length > 0) EndLine(line, parseResults, newline: false);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>One stream's line in progress: its kept start, and what is not in the log yet.</summary>
    private sealed class LineState
    {
        public StringBuilder Kept { get; } = new();
        public StringBuilder Pending { get; } = new();
        public bool Overlong { get; set; }
    }

    private void Take(LineState line, ReadOnlySpan<char> chunk, bool parseResults)
    {
        while (!chunk.IsEmpty)
        {
            var end = chunk.IndexOf('\n');
            var part = end < 0 ? chunk : chunk[..end];
            Keep(line, part);
            line.Pending.Append(part);
            if (end < 0)
            {
                // No line break yet: hand a long line to the log in pieces rather than hold it.
                if (line.Pending.Length >= MaxKeptLine) WriteLog(line.Pending);
                return;
            }
            EndLine(line, parseResults, newline: true);
            chunk = chunk[(end + 1)..];
        }
    }

    private static void Keep(LineState line, ReadOnlySpan<char> part)
    {
        if (line.Overlong) return;
        var room = MaxKeptLine - line.Kept.Length;
        if (part.Length <= room)
        {
            line.Kept.Append(part);
            return;
        }
        line.Kept.Append(part[..room]);
        line.Overlong = true;
    }

    private void EndLine(LineState line, bool parseResults, bool newline)
    {
        if (newline) line.Pending.Append('\n');
        var kept = line.Kept.ToString();
        if (kept.EndsWith('\r')) kept = kept[..^1];
        var overlong = line.Overlong;
        line.Kept.Clear();
        line.Overlong = false;

        if (parseResults)
        {
            if (overlong && kept.StartsWith("::result ", StringComparison.Ordinal))
                context.Report("::result", Outcome.Errored, $"a result line longer than {MaxKeptLine / 1024} KiB was ignored: {kept[..MaxTailLength]}…");
            else if (ResultLine.TryParse(kept, out var sub, out var error))
            {
                if (++_results > MaxResults)
                {
                    if (_results == MaxResults + 1) TooManyResults(line);
                }
                else if (sub is not null) context.Report(sub.Name, sub.Outcome, sub.Message);
                else context.Report("::result", Outcome.Errored, error);
            }
            else if (overlong && kept.StartsWith(OutputLine.Prefix, StringComparison.Ordinal))
                context.Report("::output", Outcome.Errored, $"an output line longer than {MaxKeptLine / 1024} KiB was ignored: {kept[..MaxTailLength]}…");
            else if (OutputLine.TryParse(kept, out var name, out var value, out var outputError))
            {
                if (outputError is null) outputError = SetOutput(name!, value!);
                if (outputError is not null) context.Report("::output", Outcome.Errored, outputError);
            }
        }
        lock (_lock)
        {
            WriteLogLocked(line.Pending);
            if (!string.IsNullOrWhiteSpace(kept)) LastLine = Tail(kept, overlong);
        }
    }

    /// <summary>The first result line past the bound: said once, as an errored result and in the log; the rest are only logged.</summary>
    private void TooManyResults(LineState line)
    {
        var limit = MaxResults.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        var message = $"more than {limit} ::result lines: the ones after the {limit}th were ignored";
        context.Report("::result", Outcome.Errored, message);
        line.Pending.Insert(0, "skein: " + message + Environment.NewLine);
    }

    /// <summary>Keeps an output; null, or why it was refused (one name too many).</summary>
    private string? SetOutput(string name, string value)
    {
        lock (_lock)
        {
            _outputs ??= new Dictionary<string, string>(StringComparer.Ordinal);
            if (_outputs.Count >= TaskOutputs.MaxCount && !_outputs.ContainsKey(name))
                return $"output '{name}' was ignored: a task sets at most {TaskOutputs.MaxCount} outputs";
            _outputs[name] = value;
            return null;
        }
    }

    /// <summary>What a terminal would show last of the line (after its last carriage return), shortened.</summary>
    private static string Tail(string line, bool overlong)
    {
        var shown = line.LastIndexOf('\r') is var cr and >= 0 && cr < line.Length - 1 ? line[(cr + 1)..] : line;
        return shown.Length > MaxTailLength || overlong ? shown[..Math.Min(MaxTailLength, shown.Length)] + "…" : shown;
    }

    private void FlushLog()
    {
        lock (_lock)
        {
            try
            {
                if (!_disposed) _log?.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogError ??= $"its output could not be written to {context.LogPath}: {e.Message}";
            }
        }
    }

    private void WriteLog(StringBuilder text)
    {
        lock (_lock) WriteLogLocked(text);
    }

    private void WriteLogLocked(StringBuilder text)
    {
        try
        {
            // A grandchild that outlived the drain limit may still write after the attempt ended: that is dropped.
            if (LogError is null && !_disposed)
            {
                if (context is IAttemptOutput sink) sink.Write(text.ToString());
                else (_log ??= OpenLog()).Write(text);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The output is still read to its end (a command must never block on a full pipe); it is only not kept.
            LogError = $"its output could not be written to {context.LogPath}: {e.Message}";
        }
        text.Clear();
    }

    /// <summary>Why the log could not be written, if it could not; the command's output was then read and dropped.</summary>
    public string? LogError { get; private set; }

    private StreamWriter OpenLog()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(context.LogPath)!);
        return new StreamWriter(new FileStream(context.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            try
            {
                _log?.Dispose();
            }
            catch (IOException)
            {
                // The final flush failed (a full disk); what was written stays written.
            }
        }
    }
}
