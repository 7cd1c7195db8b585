using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>
/// Turns a checked pipeline into an engine job: one task per element (its id the element's name), needing the
/// elements it receives from, with the element's placement, timeout, retries, claims and resources; its action a
/// <see cref="PipelineElementAction"/>. The job is named as the pipeline, so --resume continues its latest run.
/// </summary>
public static class PipelineCompiler
{
    /// <summary>Checks the pipeline and compiles it.</summary>
    /// <exception cref="PipelineCheckException">The pipeline has problems: every one is named, nothing was compiled.</exception>
    public static Job Compile(Pipeline pipeline, PipelineRunOptions? options = null)
    {
        var check = PipelineChecker.Check(pipeline);
        if (!check.IsValid) throw new PipelineCheckException(check);
        return Compile(check, options ?? new PipelineRunOptions());
    }

    internal static Job Compile(PipelineCheck check, PipelineRunOptions options)
    {
        var pipeline = check.Pipeline;
        var shipment = options.Shipment ?? ShipmentOf(options.Definition, pipeline);
        var scratch = Path.Combine(Path.GetFullPath(options.Run.StateDirectory), "pipelines");
        var keepOutputs = options.Run.Journal is not null;
        var sources = new Dictionary<Element, List<ElementSource>>(ReferenceEqualityComparer.Instance);
        foreach (var edge in check.Edges)
        {
            if (!sources.TryGetValue(edge.To, out var list)) sources[edge.To] = list = [];
            list.Add(new ElementSource(edge.From, edge.From.Ports.FindOutput(edge.Output)!, edge.To.Ports.FindInput(edge.Input)!, check));
        }
        var job = new Job(pipeline.Name);
        foreach (var element in check.Order)
        {
            var elementSources = sources.TryGetValue(element, out var list) ? list : [];
            var needs = elementSources.Select(s => s.From.Name).Distinct(StringComparer.Ordinal).ToArray();
            job.Add(new TaskSpec
            {
                Id = element.Name,
                Action = new PipelineElementAction(pipeline, element, elementSources, shipment, options.Definition, scratch, keepOutputs),
                Needs = needs,
                Placement = element.Placement,
                Timeout = element.Timeout,
                Retries = element.Retries,
                Claims = element.Claims,
                Resources = element.Resources ?? TaskResources.Default,
            });
        }
        return job;
    }

    private static AssemblyShipment ShipmentOf(PipelineDefinition? definition, Pipeline pipeline)
    {
        // Without a definition nothing can be shipped (a node could not build the pipeline); the shipment only names
        // where the code is, for an executor that asks.
        var assembly = definition?.Assembly ?? (pipeline.Elements.Count > 0 ? pipeline.Elements[0].GetType().Assembly : typeof(Element).Assembly);
        var location = string.IsNullOrEmpty(assembly.Location) ? typeof(Element).Assembly.Location : assembly.Location;
        return new AssemblyShipment(location);
    }
}
