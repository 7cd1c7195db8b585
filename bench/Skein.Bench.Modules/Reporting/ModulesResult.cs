using Skein.Bench.Modules.Workload;

namespace Skein.Bench.Modules.Reporting;

/// <summary>The figures of one run.</summary>
internal sealed class ModulesResult
{
    public Samples AssemblyLoad { get; set; } = new();

    public Samples AssemblyUnload { get; set; } = new();

    public Samples ProcessLoad { get; set; } = new();

    public Samples ProcessUnload { get; set; } = new();

    public NodeMemory Start { get; set; }

    /// <summary>Each cycle of loading every copy and unloading them all: the node with them loaded, then settled after.</summary>
    public List<(NodeMemory Loaded, NodeMemory Unloaded)> Cycles { get; } = [];

    public string LoadAverageAtEnd { get; set; } = "";
}
