using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Skein.Yaml;

/// <summary>
/// Sits between the YAML parser and the representation model and stops the document at the first mapping or list
/// nested deeper than <see cref="YamlLimits.MaxDepth"/>. The parser itself is iterative; it is building the tree
/// (and everything that walks it) that recurses per level, so the count has to be kept on the event stream.
/// </summary>
internal sealed class NestingLimit(IParser inner) : IParser
{
    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                if (++_depth > YamlLimits.MaxDepth) throw new TooDeepException(inner.Current.Start);
                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }
        return true;
    }

    /// <summary>Where the first mapping or list past the limit starts.</summary>
    internal sealed class TooDeepException(Mark start) : Exception($"nested deeper than {YamlLimits.MaxDepth} levels")
    {
        public Mark Start { get; } = start;
    }
}
