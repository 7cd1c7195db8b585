using Skein.Modules.Discovery;

namespace Skein.Cluster.NodeControl;

/// <summary>The modules a node could load by name, broken ones with their problem, and the directories it searched, in order.</summary>
public sealed record AvailableModules(IReadOnlyList<AvailableModule> Modules, IReadOnlyList<string> Directories);
