namespace Skein.Pipelines;

/// <summary>
/// One wiring as written: from an element (every output, or the port named) to an element (the inputs of the same
/// names, or the port named). The checker resolves it to <see cref="Edge"/>s between ports, or says why it cannot.
/// </summary>
/// <param name="FromPort">The output named (<c>a["x"] &gt;&gt; …</c>), or null for every output that has a matching input.</param>
/// <param name="ToPort">The input named (<c>… &gt;&gt; b["y"]</c>), or null for the inputs named as the outputs.</param>
public sealed record Wire(Element From, string? FromPort, Element To, string? ToPort)
{
    public override string ToString() => $"{From.Name}{(FromPort is null ? "" : $"[\"{FromPort}\"]")} >> {To.Name}{(ToPort is null ? "" : $"[\"{ToPort}\"]")}";
}

/// <summary>One resolved connection: an output port feeding an input port.</summary>
public sealed record Edge(Element From, string Output, Element To, string Input)
{
    public override string ToString() => $"{From.Name}.{Output} >> {To.Name}.{Input}";
}
