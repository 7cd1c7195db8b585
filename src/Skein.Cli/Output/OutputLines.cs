using System.Globalization;
using System.Text;
using Skein.Cli.Reporting;

namespace Skein.Cli.Output;

/// <summary>
/// Cuts one attempt's output, as bytes arrive in pieces of any size, into whole lines fit to show: decoded as UTF-8
/// (a character split between pieces is kept whole; bytes that are not UTF-8 become U+FFFD), at most
/// <see cref="MaxLineChars"/> characters of a line kept (a longer one is shown cut, saying how much was left out),
/// control characters escaped (<see cref="ReportText.ForTerminal"/>). Memory stays bounded whatever the task prints.
/// </summary>
internal sealed class OutputLines(Action<string> line)
{
    /// <summary>How much of one line is shown; the whole line is in the task's log.</summary>
    public const int MaxLineChars = 2000;

    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _line = new();
    private char[] _chars = new char[1024];
    private long _cut;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var needed = _decoder.GetCharCount(bytes, flush: false);
        if (needed > _chars.Length) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var count = _decoder.GetChars(bytes, _chars, flush: false);
        Take(_chars.AsSpan(0, count));
    }

    /// <summary>The attempt's output has ended: a last line without a newline is shown too.</summary>
    public void End()
    {
        var count = _decoder.GetChars([], _chars, flush: true);
        Take(_chars.AsSpan(0, count));
        if (_line.Length > 0 || _cut > 0) Emit();
    }

    private void Take(ReadOnlySpan<char> chars)
    {
        while (!chars.IsEmpty)
        {
            var end = chars.IndexOf('\n');
            var part = end < 0 ? chars : chars[..end];
            var room = MaxLineChars - _line.Length;
            if (part.Length <= room) _line.Append(part);
            else
            {
                _line.Append(part[..room]);
                _cut += part.Length - room;
            }
            if (end < 0) return;
            Emit();
            chars = chars[(end + 1)..];
        }
    }

    private void Emit()
    {
        var text = ReportText.ForTerminal(_line.ToString());
        if (_cut > 0) text += $" … ({_cut.ToString("N0", CultureInfo.InvariantCulture)} more characters; the whole line is in the task's log)";
        _line.Clear();
        _cut = 0;
        line(text);
    }
}
