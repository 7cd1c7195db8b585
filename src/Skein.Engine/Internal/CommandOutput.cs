namespace Skein.Engine.Internal;

/// <summary>
/// Collects a command's stdout and stderr into the attempt's log file, turns <c>::result</c> lines into
/// sub-results, and remembers the last line for the failure message.
/// </summary>
internal sealed class CommandOutput(TaskContext context) : IDisposable
{
    private const int MaxTailLength = 200;
    private readonly Lock _lock = new();
    private StreamWriter? _log;

    public string? LastLine { get; private set; }

    public async Task PumpAsync(StreamReader reader, bool parseResults)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (parseResults && ResultLine.TryParse(line, out var sub, out var error))
            {
                if (sub is not null) context.Report(sub.Name, sub.Outcome, sub.Message);
                else context.Report("::result", Outcome.Errored, error);
            }
            lock (_lock)
            {
                _log ??= OpenLog();
                _log.WriteLine(line);
                if (!string.IsNullOrWhiteSpace(line)) LastLine = line.Length > MaxTailLength ? line[..MaxTailLength] + "…" : line;
            }
        }
    }

    private StreamWriter OpenLog()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(context.LogPath)!);
        return new StreamWriter(new FileStream(context.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
    }

    public void Dispose()
    {
        lock (_lock) _log?.Dispose();
    }
}
