using System.Text;

namespace Skein.Engine;

/// <summary>Parses <c>::result name=NAME outcome=OUTCOME message="TEXT"</c>, the line a command prints to report a sub-result.</summary>
internal static class ResultLine
{
    private const string Prefix = "::result ";

    /// <returns>True when the line is a result line; then either <paramref name="result"/> or <paramref name="error"/> is set.</returns>
    public static bool TryParse(string line, out SubResult? result, out string? error)
    {
        result = null;
        error = null;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return false;

        string? name = null, outcomeText = null, message = null;
        var i = Prefix.Length;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] == ' ') i++;
            if (i >= line.Length) break;
            var eq = line.IndexOf('=', i);
            if (eq < 0) { error = $"malformed result line (expected key=value at column {i + 1}): {line}"; return true; }
            var key = line[i..eq];
            i = eq + 1;
            string value;
            if (i < line.Length && line[i] == '"')
            {
                var text = new StringBuilder();
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length) i++;
                    text.Append(line[i++]);
                }
                if (i >= line.Length) { error = $"malformed result line (unterminated quote): {line}"; return true; }
                i++;
                value = text.ToString();
            }
            else
            {
                var end = line.IndexOf(' ', i);
                if (end < 0) end = line.Length;
                value = line[i..end];
                i = end;
            }
            switch (key)
            {
                case "name": name = value; break;
                case "outcome": outcomeText = value; break;
                case "message": message = value; break;
            }
        }
        if (string.IsNullOrWhiteSpace(name)) { error = $"result line without name=: {line}"; return true; }
        if (!OutcomeExtensions.TryParse(outcomeText, out var outcome))
        {
            error = $"result line for '{name}' has outcome '{outcomeText}'; use passed, warned, failed, errored, timed-out, skipped or cancelled";
            return true;
        }
        result = new SubResult(name, outcome, message);
        return true;
    }
}
