using System.Text;

namespace Skein.Modules.Process;

/// <summary>
/// Reads a module's stderr to its end, line by line: every line goes to the tail kept for failure messages, and at
/// most a budget of lines per second goes to the node's log — the rest are counted and reported as dropped, so a
/// module printing in a loop cannot drown the node's log. Lines are cut at a maximum length, so a module writing
/// without line breaks cannot grow the node's memory either.
/// </summary>
/// <remarks>
/// Its own loop instead of <c>Process.BeginErrorReadLine</c>, whose line buffer grows without bound on a line
/// that never ends.
/// </remarks>
internal sealed class StderrPump
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly StderrTail _tail;
    private readonly int _maxLinesPerSecond;
    private readonly int _maxLineLength;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly Action<int> _dropped;
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();
    private long _windowStart;
    private int _logged;
    private int _droppedInWindow;
    private ITimer? _report;
    private int _cut;

    public StderrPump(StderrTail tail, ProcessModuleOptions options, Action<string> log, Action<int> dropped)
    {
        _tail = tail;
        _maxLinesPerSecond = options.MaxStderrLinesPerSecond;
        _maxLineLength = options.MaxStderrLineLength;
        _time = options.Time;
        _log = log;
        _dropped = dropped;
        _windowStart = _time.GetTimestamp();
    }

    /// <summary>Completes when the stream has ended (the process and any child holding its stderr are gone).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(Stream stderr) => Completion = Task.Run(() => PumpAsync(stderr), CancellationToken.None);

    private async Task PumpAsync(Stream stderr)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            int read;
            while ((read = await stderr.ReadAsync(bytes, CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                var count = decoder.GetChars(bytes, 0, read, chars, 0);
                Split(chars.AsSpan(0, count));
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe went with the process; what was read is kept.
        }
        if (_line.Length > 0 || _cut > 0) EndLine();
        ReportDropped();
    }

    private void Split(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var end = text.IndexOf('\n');
            var part = end < 0 ? text : text[..end];
            var room = _maxLineLength - _line.Length;
            if (part.Length <= room) _line.Append(part);
            else
            {
                _line.Append(part[..Math.Max(room, 0)]);
                _cut += part.Length - Math.Max(room, 0);
            }
            if (end < 0) return;
            EndLine();
            text = text[(end + 1)..];
        }
    }

    private void EndLine()
    {
        if (_line.Length > 0 && _line[^1] == '\r') _line.Length--;
        var line = _cut > 0 ? $"{_line}… ({_cut} more characters cut)" : _line.ToString();
        _line.Clear();
        _cut = 0;
        _tail.Add(line);
        bool log;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_time.GetElapsedTime(_windowStart, now) >= Window)
            {
                _windowStart = now;
                _logged = 0;
            }
            log = _logged < _maxLinesPerSecond;
            if (log) _logged++;
            else if (_droppedInWindow++ == 0)
            {
                // Said once the window is over, whether or not the module writes again, so a burst is always accounted for.
                _report = _time.CreateTimer(static state => ((StderrPump)state!).ReportDropped(), this,
                    Window - _time.GetElapsedTime(_windowStart, now), Timeout.InfiniteTimeSpan);
            }
        }
        if (log) _log(line);
    }

    private void ReportDropped()
    {
        int dropped;
        lock (_gate)
        {
            dropped = _droppedInWindow;
            _droppedInWindow = 0;
            _report?.Dispose();
            _report = null;
        }
        if (dropped > 0) _dropped(dropped);
    }
}
