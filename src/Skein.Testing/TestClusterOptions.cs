namespace Skein.Testing;

/// <summary>How a <see cref="TestCluster"/> starts.</summary>
public sealed class TestClusterOptions
{
    /// <summary>How many nodes start with the cluster; more can be started later with <see cref="TestCluster.StartNodeAsync"/>.</summary>
    public int InitialNodes { get; set; } = 1;

    /// <summary>
    /// The most a start or stop (the coordinator, a node, all initial nodes joining, a node leaving) may take. Waits end
    /// as soon as what they wait for happens; the ceiling is generous so that a loaded build machine does not fail tests.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The first part of node names: nodes are named <c>{NodeNamePrefix}{index}</c>, from 0.</summary>
    public string NodeNamePrefix { get; set; } = "node-";
}
