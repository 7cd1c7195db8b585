using System.Text;

namespace Skein.Cli.Reporting;

/// <summary>
/// Makes any text a task produced fit a report. Reasons, result messages and logs come from commands and may hold
/// anything: ANSI colour codes, other control characters, halves of surrogate pairs. XML 1.0 cannot hold most
/// control characters at all (not even as character references), and JSON cannot encode half a surrogate pair.
/// </summary>
internal static class ReportText
{
    private const char Escape = '\u001b';
    private const char Replacement = '\uFFFD';

    /// <summary>
    /// The text as XML can hold it: ANSI escape sequences (colours, cursor moves) dropped, other control characters
    /// but tab, line feed and carriage return shown as <c>\xNN</c>, lone surrogates and U+FFFE/U+FFFF replaced by U+FFFD.
    /// </summary>
    public static string ForXml(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!NeedsXmlCleaning(text)) return text;
        return Clean(text, static c => c < ' ' && c is not ('\t' or '\n' or '\r'), static c => c is '\uFFFE' or '\uFFFF');
    }

    /// <summary>The text as JSON can encode it: lone surrogates replaced by U+FFFD (control characters JSON escapes itself).</summary>
    public static string ForJson(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var i = 0;
        for (; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            break;
        }
        if (i == text.Length) return text;
        var clean = new StringBuilder(text.Length);
        for (i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) clean.Append(c).Append(text[++i]);
            else clean.Append(char.IsSurrogate(c) ? Replacement : c);
        }
        return clean.ToString();
    }

    /// <summary>
    /// One line of a task's output as a terminal or a log can show it without being driven by it: ANSI escape
    /// sequences dropped, what a carriage return overwrote dropped (a progress bar shows its last state), other
    /// control characters (C0, DEL, C1 — which some terminals take as escapes) but tab shown as <c>\xNN</c>, lone
    /// surrogates replaced by U+FFFD.
    /// </summary>
    public static string ForTerminal(string text)
    {
        if (text.Length > 0 && text[^1] == '\r') text = text[..^1];
        if (text.LastIndexOf('\r') is var overwritten and >= 0) text = text[(overwritten + 1)..];
        if (!NeedsTerminalCleaning(text)) return text;
        return Clean(text, IsTerminalControl, static _ => false);
    }

    /// <summary>
    /// ANSI escape sequences dropped, the controls <paramref name="shownAsEscape"/> names shown as <c>\xNN</c>, lone
    /// surrogates and the characters <paramref name="replaced"/> names replaced by U+FFFD; pairs and the rest kept.
    /// </summary>
    private static string Clean(string text, Func<char, bool> shownAsEscape, Func<char, bool> replaced)
    {
        var clean = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Escape && AnsiSequenceLength(text, i) is var length and > 0)
            {
                i += length - 1;
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
                continue;
            }
            if (char.IsSurrogate(c) || replaced(c)) clean.Append(Replacement);
            else if (shownAsEscape(c)) clean.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else clean.Append(c);
        }
        return clean.ToString();
    }

    private static bool IsTerminalControl(char c) => c < ' ' && c != '\t' || c is >= '\u007f' and <= '\u009f';

    private static bool NeedsTerminalCleaning(string text)
    {
        foreach (var c in text)
        {
            if (IsTerminalControl(c) || char.IsSurrogate(c)) return true;
        }
        return false;
    }

    private static bool NeedsXmlCleaning(string text)
    {
        foreach (var c in text)
        {
            if (c < ' ' && c is not ('\t' or '\n' or '\r') || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF') return true;
        }
        return false;
    }

    /// <summary>The length of the CSI sequence (ESC [ parameters intermediates final) starting at <paramref name="start"/>; 0 when there is none.</summary>
    private static int AnsiSequenceLength(string text, int start)
    {
        var i = start + 1;
        if (i >= text.Length || text[i] != '[') return 0;
        i++;
        while (i < text.Length && text[i] is >= '\u0030' and <= '\u003f') i++;
        while (i < text.Length && text[i] is >= '\u0020' and <= '\u002f') i++;
        return i < text.Length && text[i] is >= '\u0040' and <= '\u007e' ? i - start + 1 : 0;
    }
}
