using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>How a pipeline runs: the engine's <see cref="RunOptions"/>, and what a node needs to run its elements.</summary>
public sealed class PipelineRunOptions
{
    /// <summary>The run's options as for any job: executor, journal, state directory, --resume, workers, clock, start events.</summary>
    public RunOptions Run { get; init; } = new();

    /// <summary>The [Pipeline] member the pipeline was built by: how a node builds the same pipeline. Needed to run elements on nodes.</summary>
    public PipelineDefinition? Definition { get; init; }

    /// <summary>The assembly (and its folder) shipped to the nodes that run elements; default: the <see cref="Definition"/>'s assembly.</summary>
    public AssemblyShipment? Shipment { get; init; }

    /// <summary>Called with each event of the run as it happens (a progress view), on the thread that reads them.</summary>
    public Action<RunEvent>? OnEvent { get; init; }
}
