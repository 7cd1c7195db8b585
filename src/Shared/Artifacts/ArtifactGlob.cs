using System.Text;
using System.Text.RegularExpressions;

namespace Skein.Shared.Artifacts;

/// <summary>
/// One pattern of a task's <c>artifacts:</c>, relative to the attempt's working directory: <c>*</c> and <c>?</c>
/// within a path segment, <c>[abc]</c>, <c>[a-z]</c> and <c>[!abc]</c> for one character, <c>**</c> (a whole segment)
/// for any number of directories; a leading <c>!</c> excludes what it matches. Matching is case-sensitive.
/// </summary>
internal sealed class ArtifactGlob
{
    /// <summary>The longest pattern accepted.</summary>
    public const int MaxLength = 1024;

    private const string AnyDirectories = "**";

    private readonly Regex?[] _segments; // null: "**"

    private ArtifactGlob(string text, bool exclude, Regex?[] segments)
    {
        Text = text;
        IsExclude = exclude;
        _segments = segments;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    public bool IsExclude { get; }

    /// <summary>What is wrong with the pattern, or null when it is a valid one.</summary>
    public static string? Check(string pattern)
    {
        TryParse(pattern, out _, out var problem);
        return problem;
    }

    /// <summary>The pattern; throws <see cref="ArgumentException"/> with <see cref="Check"/>'s words when it is not valid.</summary>
    public static ArtifactGlob Parse(string pattern) =>
        TryParse(pattern, out var glob, out var problem) ? glob! : throw new ArgumentException(problem, nameof(pattern));

    public static bool TryParse(string pattern, out ArtifactGlob? glob, out string? problem)
    {
        glob = null;
        problem = null;
        if (pattern is null || pattern.Length == 0 || pattern == "!")
        {
            problem = "an artifact pattern must not be empty";
            return false;
        }
        if (pattern.Length > MaxLength)
        {
            problem = $"an artifact pattern is at most {MaxLength} characters, not {pattern.Length}";
            return false;
        }
        var exclude = pattern[0] == '!';
        var body = exclude ? pattern[1..] : pattern;
        if (body.Contains('\0'))
        {
            problem = $"the artifact pattern '{Printable(pattern)}' holds a NUL character";
            return false;
        }
        if (body.StartsWith('/') || body.StartsWith('~') || Path.IsPathRooted(body))
        {
            problem = $"the artifact pattern '{pattern}' must be relative to the task's working directory, not absolute";
            return false;
        }
        if (body.Contains('\\'))
        {
            problem = $"the artifact pattern '{pattern}' holds a '\\': separate directories with '/'";
            return false;
        }
        var parts = body.Split('/');
        var segments = new List<Regex?>(parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == ".") continue;
            if (part.Length == 0)
            {
                // "dist/" means what is under dist, as "dist/**" says.
                if (i == parts.Length - 1 && i > 0) { segments.Add(null); continue; }
                problem = $"the artifact pattern '{pattern}' has an empty path segment ('//' or a leading '/')";
                return false;
            }
            if (part == "..")
            {
                problem = $"the artifact pattern '{pattern}' goes up with '..': artifacts are collected from inside the task's working directory only";
                return false;
            }
            if (part == AnyDirectories)
            {
                segments.Add(null);
                continue;
            }
            if (part.Contains(AnyDirectories, StringComparison.Ordinal))
            {
                problem = $"the artifact pattern '{pattern}' uses '**' inside '{part}': '**' stands for whole directories (write 'a/**/b', or '*' within a name)";
                return false;
            }
            if (SegmentRegex(part, out var segmentProblem) is { } regex) segments.Add(regex);
            else
            {
                problem = $"the artifact pattern '{pattern}' is not a valid glob: {segmentProblem}";
                return false;
            }
        }
        if (segments.Count == 0)
        {
            problem = $"the artifact pattern '{pattern}' names the working directory itself: name files, such as 'dist/*.tar.gz' or 'report/**'";
            return false;
        }
        glob = new ArtifactGlob(pattern, exclude, [.. segments]);
        return true;
    }

    private static Regex? SegmentRegex(string part, out string? problem)
    {
        problem = null;
        var regex = new StringBuilder("^");
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            switch (c)
            {
                case '*': regex.Append(".*"); break;
                case '?': regex.Append('.'); break;
                case '[':
                {
                    var end = part.IndexOf(']', i + 2 <= part.Length ? i + 2 : part.Length);
                    if (end < 0)
                    {
                        problem = $"'[' in '{part}' has no closing ']'";
                        return null;
                    }
                    var set = part[(i + 1)..end];
                    var negate = set.StartsWith('!') || set.StartsWith('^');
                    if (negate) set = set[1..];
                    if (set.Length == 0)
                    {
                        problem = $"'[{(negate ? "!" : "")}]' in '{part}' matches nothing";
                        return null;
                    }
                    regex.Append('[');
                    if (negate) regex.Append('^');
                    foreach (var member in set)
                    {
                        if (member is '\\' or ']' or '[' or '^') regex.Append('\\');
                        regex.Append(member);
                    }
                    regex.Append(']');
                    i = end;
                    break;
                }
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        regex.Append('$');
        try
        {
            return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            problem = $"'{part}': {ex.Message}";
            return null;
        }
    }

    private static string Printable(string text) => text.Replace("\0", "\\0", StringComparison.Ordinal);

    /// <summary>Whether a relative path ('/'-separated segments) matches the whole pattern.</summary>
    public bool Matches(IReadOnlyList<string> path)
    {
        var states = Start();
        foreach (var segment in path)
        {
            states = Advance(states, segment);
            if (states.Count == 0) return false;
        }
        return Accepts(states);
    }

    // The walk keeps, per pattern, the set of segment positions a path so far can be at (a small NFA: '**' stays).

    /// <summary>The positions before any segment is read.</summary>
    internal HashSet<int> Start() => Closure([0]);

    /// <summary>The positions after one more segment; empty: nothing below can match.</summary>
    internal HashSet<int> Advance(HashSet<int> states, string segment)
    {
        var next = new HashSet<int>();
        foreach (var state in states)
        {
            if (state >= _segments.Length) continue;
            if (_segments[state] is not { } regex) next.Add(state);
            else if (regex.IsMatch(segment)) next.Add(state + 1);
        }
        return Closure(next);
    }

    /// <summary>True when a path that ends here matches.</summary>
    internal bool Accepts(HashSet<int> states) => states.Contains(_segments.Length);

    private HashSet<int> Closure(HashSet<int> states)
    {
        var added = true;
        while (added)
        {
            added = false;
            foreach (var state in states.ToArray())
            {
                if (state < _segments.Length && _segments[state] is null && states.Add(state + 1)) added = true;
            }
        }
        return states;
    }
}
