using Skein.Shared.Text;

namespace Skein.Cluster.Events;

/// <summary>
/// A NATS-style subscription pattern: tokens separated by '.', where <c>*</c> matches exactly one
/// token and <c>&gt;</c>, allowed only as the last token, matches one or more trailing tokens.
/// Parsed once; <see cref="Matches"/> then walks the subject as a span and allocates nothing.
/// </summary>
public sealed class SubjectPattern : IEquatable<SubjectPattern>
{
    // Null stands for '*'; the tail wildcard is kept apart so the loop below never has to look for it.
    private readonly string?[] _tokens;
    private readonly bool _tail;

    private SubjectPattern(string text, string?[] tokens, bool tail)
    {
        Text = text;
        _tokens = tokens;
        _tail = tail;
    }

    public string Text { get; }

    /// <summary>True when the pattern has no wildcards, so it matches exactly one subject.</summary>
    public bool IsLiteral
    {
        get
        {
            if (_tail) return false;
            foreach (var token in _tokens) if (token is null) return false;
            return true;
        }
    }

    /// <summary>Parses <paramref name="pattern"/>, or throws an <see cref="ArgumentException"/> naming the problem and its position.</summary>
    public static SubjectPattern Parse(string pattern)
    {
        SubjectSyntax.Validate(pattern, allowWildcards: true, "subject pattern", nameof(pattern));
        var parts = pattern.Split(SubjectSyntax.Separator);
        var tail = parts[^1].Length == 1 && parts[^1][0] == SubjectSyntax.TailWildcard;
        var tokens = new string?[tail ? parts.Length - 1 : parts.Length];
        for (var i = 0; i < tokens.Length; i++)
            tokens[i] = parts[i].Length == 1 && parts[i][0] == SubjectSyntax.SingleWildcard ? null : parts[i];
        return new SubjectPattern(pattern, tokens, tail);
    }

    /// <summary>
    /// True when <paramref name="subject"/> matches. The subject is assumed valid (the bus validates
    /// it once on publish); an invalid one simply fails to match or matches by its tokens.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> subject)
    {
        var rest = subject;
        var tokens = _tokens;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (rest.IsEmpty) return false;
            var dot = rest.IndexOf(SubjectSyntax.Separator);
            var token = dot < 0 ? rest : rest[..dot];
            if (tokens[i] is { } literal && !token.SequenceEqual(literal)) return false;
            if (dot < 0)
            {
                // The subject ran out of tokens: a match only when the pattern did too and has no '>' wanting more.
                return i == tokens.Length - 1 && !_tail;
            }
            rest = rest[(dot + 1)..];
            if (rest.IsEmpty) return false;
        }
        // All pattern tokens matched and the subject has more: only '>' may take them.
        return _tail && !rest.IsEmpty;
    }

    public bool Matches(string subject) => Matches(subject.AsSpan());

    public bool Equals(SubjectPattern? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SubjectPattern);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}
