namespace Skein.Shared.Text;

/// <summary>
/// The token rules shared by subjects and patterns, kept in one place so a subject that publishes
/// and a pattern that subscribes can never disagree about what a token is.
/// </summary>
internal static class SubjectSyntax
{
    public const char Separator = '.';
    public const char SingleWildcard = '*';
    public const char TailWildcard = '>';

    /// <summary>Throws <see cref="ArgumentException"/> naming the first problem and where it is.</summary>
    public static void Validate(string text, bool allowWildcards, string kind, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        if (text.Length == 0) throw Invalid(kind, text, "it is empty", paramName);

        var token = 1;
        var tokenStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != Separator)
            {
                if (char.IsWhiteSpace(text[i]))
                    throw Invalid(kind, text, $"token {token} contains whitespace at character {i}", paramName);
                continue;
            }

            var length = i - tokenStart;
            if (length == 0)
                throw Invalid(kind, text, $"token {token} is empty at character {tokenStart}", paramName);

            var span = text.AsSpan(tokenStart, length);
            var wildcardAt = span.IndexOfAny(SingleWildcard, TailWildcard);
            if (wildcardAt >= 0)
            {
                var wildcard = span[wildcardAt];
                var position = tokenStart + wildcardAt;
                if (!allowWildcards)
                    throw Invalid(kind, text, $"token {token} contains the wildcard '{wildcard}' at character {position}; wildcards belong in subscription patterns only", paramName);
                if (length != 1)
                    throw Invalid(kind, text, $"token {token} mixes the wildcard '{wildcard}' with other characters at character {position}; a wildcard must be a whole token", paramName);
                if (wildcard == TailWildcard && i != text.Length)
                    throw Invalid(kind, text, $"'>' is token {token} at character {position} but may only be the last token", paramName);
            }

            token++;
            tokenStart = i + 1;
        }
    }

    private static ArgumentException Invalid(string kind, string text, string problem, string paramName) =>
        new($"The {kind} '{text}' is invalid: {problem}.", paramName);
}
