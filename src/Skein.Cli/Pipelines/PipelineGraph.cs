using System.Globalization;
using System.Text;
using Skein.Pipelines;

namespace Skein.Cli.Pipelines;

/// <summary>
/// <c>skein pipeline graph</c>'s drawing: every element a box with its name, type, placement, invocations and ports;
/// every resolved edge an arrow from an output to an input, labelled with both port names. Graphviz DOT or Mermaid.
/// </summary>
internal static class PipelineGraph
{
    public const string Dot = "dot";
    public const string Mermaid = "mermaid";

    public static string Render(Pipeline pipeline, IReadOnlyList<Edge> edges, string format) => format switch
    {
        Dot => RenderDot(pipeline, edges),
        Mermaid => RenderMermaid(pipeline, edges),
        _ => throw new SkeinException($"unknown graph format '{format}' (dot or mermaid)"),
    };

    /// <summary>Where and how often an element runs, in words, or null when it runs once anywhere.</summary>
    internal static string? Placement(Element element)
    {
        var parts = new List<string>();
        if (element.Placement is { } placement)
        {
            if (placement.Node is { } node) parts.Add($"on {node}");
            if (placement.Host is { } host) parts.Add($"on host {host}");
            if (placement.Labels.Count > 0)
                parts.Add("on " + string.Join(", ", placement.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        }
        if (element.InvocationCount is { } count) parts.Add(count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " invocation" : " invocations"));
        return parts.Count == 0 ? null : string.Join(" · ", parts);
    }

    private static string TypeName(Element element)
    {
        var name = element.GetType().Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick >= 0 ? name[..tick] : name;
    }

    private static string RenderDot(Pipeline pipeline, IReadOnlyList<Edge> edges)
    {
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(DotId(pipeline.Name)).AppendLine(" {");
        dot.AppendLine("  rankdir=LR;");
        dot.AppendLine("  node [shape=plain, fontname=\"Helvetica\", fontsize=11];");
        dot.AppendLine("  edge [fontname=\"Helvetica\", fontsize=9];");
        foreach (var element in pipeline.Elements)
        {
            dot.Append("  ").Append(DotId(element.Name)).Append(" [label=<");
            dot.Append("<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">");
            dot.Append("<tr><td bgcolor=\"#dde6f0\"><b>").Append(Html(element.Name)).Append("</b><br/>").Append(Html(TypeName(element))).Append("</td></tr>");
            if (Placement(element) is { } placement) dot.Append("<tr><td><i>").Append(Html(placement)).Append("</i></td></tr>");
            foreach (var input in element.Ports.Inputs)
                dot.Append("<tr><td port=\"in-").Append(Html(input.Name)).Append("\" align=\"left\">&#9656; ").Append(Html(input.ToString())).Append("</td></tr>");
            foreach (var output in element.Ports.Outputs)
                dot.Append("<tr><td port=\"out-").Append(Html(output.Name)).Append("\" align=\"right\">").Append(Html(output.ToString())).Append(" &#9656;</td></tr>");
            dot.AppendLine("</table>>];");
        }
        foreach (var edge in edges)
        {
            dot.Append("  ").Append(DotId(edge.From.Name)).Append(':').Append(DotId("out-" + edge.Output)).Append(":e -> ")
                .Append(DotId(edge.To.Name)).Append(':').Append(DotId("in-" + edge.Input)).Append(":w")
                .Append(" [label=").Append(DotId(EdgeLabel(edge))).AppendLine("];");
        }
        dot.AppendLine("}");
        return dot.ToString();
    }

    private static string RenderMermaid(Pipeline pipeline, IReadOnlyList<Edge> edges)
    {
        // Mermaid ids are plain words: elements get e0, e1, … and their names go in the labels.
        var ids = new Dictionary<Element, string>(ReferenceEqualityComparer.Instance);
        var mermaid = new StringBuilder();
        mermaid.Append("---\ntitle: \"").Append(pipeline.Name.Replace("\"", "'", StringComparison.Ordinal)).Append("\"\n---\n");
        mermaid.AppendLine("flowchart LR");
        foreach (var element in pipeline.Elements)
        {
            var id = "e" + ids.Count.ToString(CultureInfo.InvariantCulture);
            ids[element] = id;
            var lines = new List<string> { $"<b>{MermaidText(element.Name)}</b>", MermaidText(TypeName(element)) };
            if (Placement(element) is { } placement) lines.Add($"<i>{MermaidText(placement)}</i>");
            foreach (var input in element.Ports.Inputs) lines.Add("in " + MermaidText(input.ToString()));
            foreach (var output in element.Ports.Outputs) lines.Add("out " + MermaidText(output.ToString()));
            mermaid.Append("  ").Append(id).Append("[\"").Append(string.Join("<br/>", lines)).AppendLine("\"]");
        }
        foreach (var edge in edges)
            mermaid.Append("  ").Append(ids[edge.From]).Append(" -->|\"").Append(MermaidText(EdgeLabel(edge))).Append("\"| ").AppendLine(ids[edge.To]);
        return mermaid.ToString();
    }

    /// <summary>Both port names, the same name once: <c>stdout → text</c>, or <c>times</c>.</summary>
    private static string EdgeLabel(Edge edge) => edge.Output == edge.Input ? edge.Output : $"{edge.Output} → {edge.Input}";

    private static string DotId(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Html(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    // Mermaid reads its own entity codes inside a quoted label; '<' and '>' would be taken for HTML.
    private static string MermaidText(string text) => text
        .Replace("#", "#35;", StringComparison.Ordinal)
        .Replace("\"", "#quot;", StringComparison.Ordinal)
        .Replace("<", "#lt;", StringComparison.Ordinal)
        .Replace(">", "#gt;", StringComparison.Ordinal);
}
