namespace Skein.Pipelines;

/// <summary>A port of an element named in a wiring (<c>a["times"]</c>); whether it exists, and its direction, is the checker's business.</summary>
public readonly record struct Port(Element Element, string Name)
{
    public static Chain operator >>(Port from, Port to) => Chain.Start(from).Then(to);

    public static Chain operator >>(Port from, Element to) => Chain.Start(from).Then(to);

    public override string ToString() => $"{Element.Name}.{Name}";
}
