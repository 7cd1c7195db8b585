namespace Skein.Pipelines;

/// <summary>
/// A named graph of elements, made of chains: <c>new Pipeline("study", run &gt;&gt; parse &gt;&gt; stats, stats &gt;&gt; plot)</c>.
/// Building one checks nothing; <c>PipelineChecker.Check</c> does, before anything runs.
/// </summary>
public sealed class Pipeline
{
    private readonly List<Element> _elements = [];
    private readonly List<Wire> _wires = [];

    public Pipeline(string name, params IEnumerable<Chain> chains)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(chains);
        Name = name;
        var seen = new HashSet<Element>(ReferenceEqualityComparer.Instance);
        foreach (var chain in chains)
        {
            ArgumentNullException.ThrowIfNull(chain);
            foreach (var element in chain.Elements)
            {
                if (seen.Add(element)) _elements.Add(element);
            }
            _wires.AddRange(chain.Wires);
        }
        NameElements();
    }

    public string Name { get; }

    /// <summary>Every element, in the order first named.</summary>
    public IReadOnlyList<Element> Elements => _elements;

    /// <summary>Every wiring, in the order written.</summary>
    public IReadOnlyList<Wire> Wires => _wires;

    public Element? Find(string elementName)
    {
        foreach (var element in _elements)
        {
            if (string.Equals(element.Name, elementName, StringComparison.Ordinal)) return element;
        }
        return null;
    }

    public override string ToString() => Name;

    /// <summary>
    /// Numbers the elements that share a default name (<c>run</c>, <c>run-2</c>, …) in the order they were first
    /// named, so the same code builds the same names wherever it runs. Given names are left alone; two equal ones are
    /// the checker's to report.
    /// </summary>
    private void NameElements()
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in _elements)
        {
            if (element.HasExplicitName) taken.Add(element.Name);
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var element in _elements)
        {
            if (element.HasExplicitName) continue;
            var baseName = element.Name;
            var n = counts.GetValueOrDefault(baseName);
            string name;
            do
            {
                n++;
                name = n == 1 ? baseName : $"{baseName}-{n}";
            }
            while (taken.Contains(name));
            counts[baseName] = n;
            taken.Add(name);
            element.Name = name;
        }
    }
}
