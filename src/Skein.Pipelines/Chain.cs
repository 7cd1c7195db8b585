namespace Skein.Pipelines;

/// <summary>
/// What <c>a &gt;&gt; b &gt;&gt; c</c> builds: the wirings written so far and the element (or port) at the end, which
/// the next <c>&gt;&gt;</c> wires from. A pipeline is made of chains; an element in several of them is one element.
/// </summary>
public sealed class Chain
{
    private readonly List<Wire> _wires;
    private readonly List<Element> _elements;

    private Chain(List<Wire> wires, List<Element> elements, Element last, string? lastPort)
    {
        _wires = wires;
        _elements = elements;
        Last = last;
        LastPort = lastPort;
    }

    /// <summary>The wirings in the order written.</summary>
    public IReadOnlyList<Wire> Wires => _wires;

    /// <summary>Every element the chain names, in the order first named.</summary>
    public IReadOnlyList<Element> Elements => _elements;

    public Element Last { get; }

    /// <summary>The output a chain started from a port leaves from (<c>a["x"] &gt;&gt; …</c>), or null: every output of <see cref="Last"/>.</summary>
    public string? LastPort { get; }

    public static Chain Start(Element element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new Chain([], [element], element, null);
    }

    public static Chain Start(Port port)
    {
        ArgumentNullException.ThrowIfNull(port.Element);
        return new Chain([], [port.Element], port.Element, port.Name);
    }

    public Chain Then(Element next) => Append(next, null);

    public Chain Then(Port next) => Append(next.Element, next.Name);

    public static Chain operator >>(Chain chain, Element next) => chain.Then(next);

    public static Chain operator >>(Chain chain, Port next) => chain.Then(next);

    /// <summary>A chain of one element, so a lone element can be a pipeline's part.</summary>
    public static implicit operator Chain(Element element) => Start(element);

    private Chain Append(Element next, string? toPort)
    {
        ArgumentNullException.ThrowIfNull(next);
        // Chains are values: a chain wired on twice gives two chains, neither changing the other.
        var wires = new List<Wire>(_wires.Count + 1);
        wires.AddRange(_wires);
        wires.Add(new Wire(Last, LastPort, next, toPort));
        var elements = new List<Element>(_elements);
        if (!elements.Contains(next)) elements.Add(next);
        // After "… >> b[\"y\"]" the next wiring leaves from b itself: y is one of its inputs, not an output.
        return new Chain(wires, elements, next, null);
    }

    public override string ToString() => string.Join("; ", _wires);
}
