using System.Text;

namespace Skein.Engine.Templates;

/// <summary>
/// Fills the placeholders of a <c>run</c> command. bash reads the command as code, so each value is quoted for the
/// place it stands in — a bare word, "double quotes", 'single quotes', $'…', ${…}, arithmetic, a comment, a
/// here-document — and reaches the command as exactly the text it is, never as shell syntax: a file named
/// <c>$(touch x).txt</c> is one argument, not a command. <c>{{raw NAME}}</c> is pasted as written, as code.
/// </summary>
/// <remarks>
/// The command is scanned the way bash reads it, just far enough to know the quoting in force at each placeholder.
/// Where no quoting can keep a value intact (after a backslash or a bare <c>$</c>, inside backticks, a line break in
/// a here-document) the command is refused with a problem rather than filled in unsafely.
/// </remarks>
internal sealed class CommandPlaceholders
{
    private enum Kind
    {
        /// <summary>Unquoted code: the top level, or inside <c>$( )</c>, <c>&lt;( )</c>, <c>&gt;( )</c>.</summary>
        Code,
        DoubleQuoted,
        SingleQuoted,
        /// <summary><c>$'…'</c>, where backslashes are escapes.</summary>
        AnsiC,
        /// <summary><c>${…}</c>, inside or outside double quotes.</summary>
        Parameter,
        /// <summary><c>$(( ))</c> and <c>(( ))</c>: bash expands the text as in double quotes and evaluates it.</summary>
        Arithmetic,
        Comment,
        HereDocument,
        Backticks,
    }

    private sealed class Frame(Kind kind)
    {
        public Kind Kind { get; } = kind;

        /// <summary>Code frames opened by <c>$(</c> (and the like) end at their matching <c>)</c>.</summary>
        public bool ClosedByParen { get; init; }

        /// <summary>A parameter expansion written inside double quotes.</summary>
        public bool InDoubleQuotes { get; init; }

        /// <summary>Double quotes nested in a parameter expansion that is itself inside double quotes.</summary>
        public bool InQuotedParameter { get; init; }

        public HereDocument? HereDocument { get; init; }

        /// <summary>Open parentheses (subshells, arithmetic groups) inside this frame.</summary>
        public int Parens { get; set; }

        /// <summary>Open <c>case … esac</c> inside this frame, whose patterns end in a bare <c>)</c>.</summary>
        public int Cases { get; set; }
    }

    private sealed record HereDocument(string Delimiter, bool StripTabs, bool Quoted);

    /// <summary>Characters a value may consist of to stand bare, unquoted (as in Python's shlex.quote).</summary>
    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '@' or '%' or '+' or '=' or ':' or ',' or '.' or '/' or '-' or '_'
        || c > 127 && char.IsLetterOrDigit(c);

    /// <summary>A placeholder marked in the scanned text; the text holds a NUL where it stands.</summary>
    private readonly record struct Hole(string Name, string Value);

    private readonly string _code;
    private readonly Dictionary<int, Hole> _holes;
    private readonly List<string> _problems;
    private readonly StringBuilder _output;
    private readonly Stack<Frame> _frames = new();
    private readonly Queue<HereDocument> _pendingHereDocuments = new();
    private bool _atWordStart = true;
    private bool _afterDollar;
    private bool _atLineStart;
    private int _lineOutputStart;
    private bool _lineHasHole;

    private CommandPlaceholders(string code, Dictionary<int, Hole> holes, List<string> problems)
    {
        _code = code;
        _holes = holes;
        _problems = problems;
        _output = new StringBuilder(code.Length + 16 * holes.Count);
        _frames.Push(new Frame(Kind.Code));
    }

    /// <summary>The command with each placeholder the values know filled in, quoted for where it stands.</summary>
    /// <param name="problems">Gets a message for each placeholder that cannot be filled in safely.</param>
    public static string Fill(string command, IReadOnlyDictionary<string, string> values, List<string> problems)
    {
        if (values.Count == 0 || !command.Contains("{{", StringComparison.Ordinal)) return command;

        // Raw values become part of the code (and are scanned as code); the others are holes, quoted when reached.
        var code = new StringBuilder(command.Length);
        var holes = new Dictionary<int, Hole>();
        var last = 0;
        foreach (var placeholder in Placeholders.Find(command))
        {
            code.Append(command, last, placeholder.Index - last);
            last = placeholder.Index + placeholder.Length;
            if (!values.TryGetValue(placeholder.Name, out var value))
            {
                code.Append(command, placeholder.Index, placeholder.Length); // unknown: reported already
                continue;
            }
            if (value.Contains('\0'))
            {
                problems.Add($"the value of '{{{{{placeholder.Name}}}}}' contains a NUL character, which a command cannot hold");
                continue;
            }
            if (placeholder.Raw)
            {
                code.Append(value);
                continue;
            }
            holes[code.Length] = new Hole(placeholder.Name, value);
            code.Append('\0');
        }
        code.Append(command, last, command.Length - last);
        if (holes.Count == 0) return code.ToString();

        var filler = new CommandPlaceholders(code.ToString(), holes, problems);
        filler.Scan();
        return filler._output.ToString();
    }

    private Frame Top => _frames.Peek();

    private char At(int i) => i < _code.Length ? _code[i] : '\0';

    private bool IsHole(int i) => _holes.ContainsKey(i);

    private void Scan()
    {
        var i = 0;
        while (i < _code.Length)
        {
            if (_holes.TryGetValue(i, out var hole))
            {
                FillHole(hole);
                i++;
                continue;
            }
            var frame = Top;
            var consumed = frame.Kind switch
            {
                Kind.Code => ScanCode(frame, i),
                Kind.DoubleQuoted => ScanDoubleQuoted(i),
                Kind.SingleQuoted => ScanQuoted(i, '\''),
                Kind.AnsiC => ScanAnsiC(i),
                Kind.Parameter => ScanParameter(frame, i),
                Kind.Arithmetic => ScanArithmetic(frame, i),
                Kind.Comment => ScanComment(i),
                Kind.HereDocument => ScanHereDocument(frame, i),
                _ => ScanBackticks(i),
            };
            if (consumed == 0) continue; // the frame ended without taking the character
            var newline = _code.AsSpan(i, consumed).Contains('\n');
            _output.Append(_code, i, consumed);
            i += consumed;
            if (newline) StartLine();
        }
        if (Top.Kind == Kind.HereDocument) EndBodyLine(Top.HereDocument!);
    }

    // ── code ────────────────────────────────────────────────────────────────────────────────────────────────

    private int ScanCode(Frame frame, int i)
    {
        var c = _code[i];
        var atWordStart = _atWordStart;
        _atWordStart = false;
        _afterDollar = false;
        switch (c)
        {
            case '\\':
                return Escape(i);
            case '\'':
                _frames.Push(new Frame(Kind.SingleQuoted));
                return 1;
            case '"':
                _frames.Push(new Frame(Kind.DoubleQuoted));
                return 1;
            case '`':
                _frames.Push(new Frame(Kind.Backticks));
                return 1;
            case '$':
                return Dollar(i, inDoubleQuotes: false);
            case '#' when atWordStart:
                _frames.Push(new Frame(Kind.Comment));
                return 1;
            case '(':
                _atWordStart = true;
                if (atWordStart && At(i + 1) == '(')
                {
                    _frames.Push(new Frame(Kind.Arithmetic));
                    return 2;
                }
                frame.Parens++;
                return 1;
            case ')':
                _atWordStart = true;
                if (frame.Parens > 0) frame.Parens--;
                else if (frame.Cases == 0 && frame.ClosedByParen) _frames.Pop();
                // else: the end of a case pattern, or a stray ')' bash will complain about
                return 1;
            case '<' when At(i + 1) == '<' && At(i + 2) == '<':
                _atWordStart = true;
                return 3; // a here-string: its word follows on the same line
            case '<' when At(i + 1) == '<':
                return HereDocumentOperator(i);
            case '<' or '>' when At(i + 1) == '(':
                _frames.Push(new Frame(Kind.Code) { ClosedByParen = true });
                _atWordStart = true;
                return 2;
            case '\n':
                _atWordStart = true;
                if (_pendingHereDocuments.TryDequeue(out var document))
                {
                    _frames.Push(new Frame(Kind.HereDocument) { HereDocument = document });
                }
                return 1;
            case ' ' or '\t' or ';' or '&' or '|' or '<' or '>':
                _atWordStart = true;
                return 1;
            default:
                if (atWordStart) return Keyword(frame, i);
                return 1;
        }
    }

    /// <summary>A word at the start of a command: <c>case</c> and <c>esac</c> matter, since case patterns end in ')'.</summary>
    private int Keyword(Frame frame, int i)
    {
        var end = i;
        while (end < _code.Length && char.IsAsciiLetter(_code[end])) end++;
        var next = At(end);
        if (end == i || !(next is ' ' or '\t' or '\n' or ';' or '\0') || IsHole(end)) return Math.Max(1, end - i);
        var word = _code.AsSpan(i, end - i);
        if (word.SequenceEqual("case")) frame.Cases++;
        else if (word.SequenceEqual("esac") && frame.Cases > 0) frame.Cases--;
        return end - i;
    }

    /// <summary><c>&lt;&lt;WORD</c> or <c>&lt;&lt;-WORD</c>: the body starts on the next line.</summary>
    private int HereDocumentOperator(int i)
    {
        var j = i + 2;
        var stripTabs = At(j) == '-';
        if (stripTabs) j++;
        while (At(j) is ' ' or '\t') j++;
        var delimiter = new StringBuilder();
        var quoted = false;
        char? quote = null;
        for (; j < _code.Length; j++)
        {
            var c = _code[j];
            if (IsHole(j))
            {
                _problems.Add($"{Describe(_holes[j])} is in the end marker of a here-document, which cannot be quoted");
                continue;
            }
            if (quote is { } open)
            {
                if (c == open) quote = null;
                else delimiter.Append(c);
                continue;
            }
            if (c is '\'' or '"')
            {
                quote = c;
                quoted = true;
                continue;
            }
            if (c == '\\' && j + 1 < _code.Length)
            {
                quoted = true;
                delimiter.Append(_code[++j]);
                continue;
            }
            if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')') break;
            delimiter.Append(c);
        }
        _pendingHereDocuments.Enqueue(new HereDocument(delimiter.ToString(), stripTabs, quoted));
        _atWordStart = false;
        return j - i;
    }

    /// <summary>A backslash takes the next character literally; a placeholder right after it cannot be quoted.</summary>
    private int Escape(int i)
    {
        if (IsHole(i + 1))
        {
            _problems.Add($"{Describe(_holes[i + 1])} follows a backslash, which would take its quoting apart: remove the backslash");
            return 1;
        }
        return i + 1 < _code.Length ? 2 : 1;
    }

    /// <summary>What a <c>$</c> starts: $'…', $"…", $((…)), $(…), ${…}, or a plain expansion.</summary>
    private int Dollar(int i, bool inDoubleQuotes)
    {
        var next = At(i + 1);
        if (IsHole(i + 1))
        {
            _afterDollar = true;
            return 1;
        }
        switch (next)
        {
            case '\'' when !inDoubleQuotes:
                _frames.Push(new Frame(Kind.AnsiC));
                return 2;
            case '"' when !inDoubleQuotes:
                _frames.Push(new Frame(Kind.DoubleQuoted));
                return 2;
            case '(' when At(i + 2) == '(' && !IsHole(i + 2):
                _frames.Push(new Frame(Kind.Arithmetic));
                return 3;
            case '(':
                _frames.Push(new Frame(Kind.Code) { ClosedByParen = true });
                _atWordStart = true;
                return 2;
            case '{':
                _frames.Push(new Frame(Kind.Parameter) { InDoubleQuotes = inDoubleQuotes });
                return 2;
            default:
                return 1;
        }
    }

    // ── quoted text ─────────────────────────────────────────────────────────────────────────────────────────

    private int ScanDoubleQuoted(int i)
    {
        _afterDollar = false;
        switch (_code[i])
        {
            case '"':
                _frames.Pop();
                return 1;
            case '\\':
                return Escape(i);
            case '`':
                _frames.Push(new Frame(Kind.Backticks));
                return 1;
            case '$':
                return Dollar(i, inDoubleQuotes: true);
            default:
                return 1;
        }
    }

    private int ScanQuoted(int i, char close)
    {
        if (_code[i] == close) _frames.Pop();
        return 1;
    }

    private int ScanAnsiC(int i)
    {
        switch (_code[i])
        {
            case '\'':
                _frames.Pop();
                return 1;
            case '\\':
                return Escape(i);
            default:
                return 1;
        }
    }

    private int ScanParameter(Frame frame, int i)
    {
        _afterDollar = false;
        switch (_code[i])
        {
            case '}':
                _frames.Pop();
                return 1;
            case '\\':
                return Escape(i);
            case '\'' when !frame.InDoubleQuotes:
                _frames.Push(new Frame(Kind.SingleQuoted));
                return 1;
            case '"':
                _frames.Push(new Frame(Kind.DoubleQuoted) { InQuotedParameter = frame.InDoubleQuotes });
                return 1;
            case '`':
                _frames.Push(new Frame(Kind.Backticks));
                return 1;
            case '$':
                return Dollar(i, frame.InDoubleQuotes);
            default:
                return 1;
        }
    }

    private int ScanArithmetic(Frame frame, int i)
    {
        _afterDollar = false;
        switch (_code[i])
        {
            case '(':
                frame.Parens++;
                return 1;
            case ')':
                if (frame.Parens > 0)
                {
                    frame.Parens--;
                    return 1;
                }
                _frames.Pop();
                return At(i + 1) == ')' && !IsHole(i + 1) ? 2 : 1;
            case '\\':
                return Escape(i);
            case '"':
                _frames.Push(new Frame(Kind.DoubleQuoted));
                return 1;
            case '`':
                _frames.Push(new Frame(Kind.Backticks));
                return 1;
            case '$':
                return Dollar(i, inDoubleQuotes: true);
            default:
                return 1;
        }
    }

    private int ScanComment(int i)
    {
        if (_code[i] != '\n') return 1;
        _frames.Pop(); // the line break belongs to the code around the comment
        return 0;
    }

    private int ScanBackticks(int i)
    {
        switch (_code[i])
        {
            case '`':
                _frames.Pop();
                return 1;
            case '\\':
                return Escape(i);
            default:
                return 1;
        }
    }

    // ── here-documents ──────────────────────────────────────────────────────────────────────────────────────

    private void StartLine()
    {
        _atLineStart = true;
        _lineOutputStart = _output.Length;
        _lineHasHole = false;
    }

    private int ScanHereDocument(Frame frame, int i)
    {
        var document = frame.HereDocument!;
        if (_atLineStart)
        {
            _atLineStart = false;
            var end = _code.IndexOf('\n', i);
            var line = _code.AsSpan(i, (end < 0 ? _code.Length : end) - i);
            if (document.StripTabs) line = line.TrimStart('\t');
            if (line.SequenceEqual(document.Delimiter) && !line.Contains('\0'))
            {
                // The end marker: the line break after it belongs to the code again (and may start the next body).
                _frames.Pop();
                return (end < 0 ? _code.Length : end) - i;
            }
        }
        _afterDollar = false;
        var c = _code[i];
        if (c == '\n')
        {
            EndBodyLine(document);
            return 1;
        }
        if (document.Quoted) return 1;
        switch (c)
        {
            case '\\':
                return Escape(i);
            case '`':
                _frames.Push(new Frame(Kind.Backticks));
                return 1;
            case '$':
                return Dollar(i, inDoubleQuotes: true);
            default:
                return 1;
        }
    }

    /// <summary>A value must not turn a line of the body into the end marker: the lines after it would run as code.</summary>
    private void EndBodyLine(HereDocument document)
    {
        if (!_lineHasHole) return;
        var line = _output.ToString(_lineOutputStart, _output.Length - _lineOutputStart);
        if (document.StripTabs) line = line.TrimStart('\t');
        if (line == document.Delimiter)
            _problems.Add($"a value makes a line of a here-document read '{document.Delimiter}', its end marker, which would end it early");
    }

    // ── values ──────────────────────────────────────────────────────────────────────────────────────────────

    private void FillHole(Hole hole)
    {
        var frame = Top;
        if (_afterDollar && frame.Kind is not (Kind.SingleQuoted or Kind.Comment) && frame.HereDocument is not { Quoted: true })
        {
            _problems.Add($"{Describe(hole)} follows a '$', which would make it part of an expansion: separate them (\"${{VAR}}\" or {{{{raw {hole.Name}}}}})");
        }
        _afterDollar = false;
        _atWordStart = false;
        var value = hole.Value;
        switch (frame.Kind)
        {
            case Kind.Code:
                AppendWord(value);
                break;
            case Kind.Parameter when !frame.InDoubleQuotes:
                AppendWord(value);
                break;
            case Kind.Parameter:
                AppendInQuotedParameter(value);
                break;
            case Kind.DoubleQuoted when frame.InQuotedParameter:
                // Brace expansion reads "${x:-"…"}" as quoted, unquoted, quoted: the value goes outside the inner quotes.
                _output.Append('"');
                AppendInQuotedParameter(value);
                _output.Append('"');
                break;
            case Kind.DoubleQuoted:
                AppendEscaped(value, "\\$`\"");
                break;
            case Kind.SingleQuoted:
                _output.Append(value.Replace("'", "'\\''", StringComparison.Ordinal));
                break;
            case Kind.AnsiC:
                AppendEscaped(value, "\\'");
                break;
            case Kind.Arithmetic:
                // bash reads arithmetic as if double-quoted: single quotes would not protect a $(…) in the value.
                if (value.Length > 0 && value.All(IsSafe)) _output.Append(value);
                else AppendEscaped(value, "\\$`\"", wrap: '"');
                break;
            case Kind.Comment:
                // A line break would end the comment and start code.
                _output.Append(value.Replace('\n', ' '));
                break;
            case Kind.HereDocument:
                _lineHasHole = true;
                if (value.Contains('\n'))
                    _problems.Add($"{Describe(hole)} has a line break in its value, which a here-document cannot hold (the value is {Shown(value)})");
                if (frame.HereDocument!.Quoted) _output.Append(value);
                else AppendEscaped(value, "\\$`");
                break;
            default:
                _problems.Add($"{Describe(hole)} is inside backticks, where it cannot be quoted: write $(…) instead of `…`");
                AppendWord(value);
                break;
        }
    }

    /// <summary>The value as one shell word: bare when every character is safe, else in single quotes.</summary>
    private void AppendWord(string value)
    {
        if (value.Length > 0 && value.All(IsSafe))
        {
            _output.Append(value);
            return;
        }
        _output.Append('\'').Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
    }

    /// <summary>
    /// Inside "${…}" bash still pairs single quotes and reads &lt;( and &gt;( as the start of a process substitution,
    /// and a backslash before them stays: those characters go in nested double quotes of their own ("'"). Braces are
    /// escaped, so brace expansion (which does not understand the nesting) finds none.
    /// </summary>
    private void AppendInQuotedParameter(string value)
    {
        foreach (var c in value)
        {
            if (c is '\'' or '<' or '>') _output.Append('"').Append(c).Append('"');
            else if (c is '\\' or '$' or '`' or '"' or '}') _output.Append('\\').Append(c);
            else _output.Append(c);
        }
    }

    private void AppendEscaped(string value, string special, char? wrap = null)
    {
        if (wrap is { } open) _output.Append(open);
        foreach (var c in value)
        {
            if (special.Contains(c)) _output.Append('\\');
            _output.Append(c);
        }
        if (wrap is { } close) _output.Append(close);
    }

    private static string Describe(Hole hole) => $"'{{{{{hole.Name}}}}}'";

    private static string Shown(string value) => "\"" + value.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
