using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Skein.Yaml;

/// <summary>
/// Sits between the YAML parser and the representation model and drops the second and later occurrence of a
/// mapping key, reporting each. The representation model throws on the first duplicate and gives up on the
/// whole document; dropping them instead keeps the rest of the file readable so every problem is reported at once.
/// </summary>
internal sealed class DuplicateKeyFilter : IParser
{
    private readonly IParser _inner;
    private readonly ProblemCollector _problems;
    private readonly Stack<Collection> _open = new();

    public DuplicateKeyFilter(IParser inner, ProblemCollector problems)
    {
        _inner = inner;
        _problems = problems;
    }

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        while (_inner.MoveNext())
        {
            var current = _inner.Current!;
            if (IsDuplicateKey(current, out var first))
            {
                var key = (Scalar)current;
                _problems.Error($"duplicate key '{key.Value}': already given at {first}; this one is ignored", _problems.At(key.Start));
                SkipNode(); // its value
                continue;
            }
            Track(current);
            return true;
        }
        return false;
    }

    private bool IsDuplicateKey(ParsingEvent current, out SourceLocation first)
    {
        first = default;
        if (current is not Scalar scalar || !_open.TryPeek(out var parent) || parent.Keys is null || !parent.ExpectingKey)
        {
            return false;
        }
        return parent.Keys.TryGetValue(scalar.Value, out first);
    }

    private void Track(ParsingEvent current)
    {
        if (current is NodeEvent && _open.TryPeek(out var parent) && parent.Keys is not null)
        {
            if (parent.ExpectingKey && current is Scalar key) parent.Keys[key.Value] = _problems.At(key.Start);
            parent.ExpectingKey = !parent.ExpectingKey;
        }

        switch (current)
        {
            case MappingStart:
                _open.Push(new Collection(new Dictionary<string, SourceLocation>(StringComparer.Ordinal)));
                break;
            case SequenceStart:
                _open.Push(new Collection(null));
                break;
            case MappingEnd or SequenceEnd:
                _open.Pop();
                break;
        }
    }

    /// <summary>Consumes one whole node: a scalar or alias, or a collection with everything inside it.</summary>
    private void SkipNode()
    {
        var depth = 0;
        while (_inner.MoveNext())
        {
            switch (_inner.Current)
            {
                case MappingStart or SequenceStart:
                    depth++;
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
            if (depth == 0) return;
        }
    }

    /// <summary>An open mapping (with the keys seen so far) or sequence (Keys null).</summary>
    private sealed class Collection(Dictionary<string, SourceLocation>? keys)
    {
        public Dictionary<string, SourceLocation>? Keys { get; } = keys;

        public bool ExpectingKey { get; set; } = true;
    }
}
