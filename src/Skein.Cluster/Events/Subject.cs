using Skein.Shared.Text;

namespace Skein.Cluster.Events;

/// <summary>
/// Subjects events are published on: tokens separated by '.', such as <c>node.joined</c>. Tokens
/// are non-empty, hold no whitespace and no wildcards; those belong to <see cref="SubjectPattern"/>.
/// </summary>
public static class Subject
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the problem and its position when <paramref name="subject"/> is not a valid subject.</summary>
    public static void Validate(string subject) =>
        SubjectSyntax.Validate(subject, allowWildcards: false, "subject", nameof(subject));
}
