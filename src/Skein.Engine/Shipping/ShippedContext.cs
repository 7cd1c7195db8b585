using System.Reflection;

namespace Skein.Engine;

/// <summary>What shipped code sees where it runs (a node, or this process).</summary>
public sealed class ShippedContext
{
    public ShippedContext(Assembly assembly, string workingDirectory, TextWriter log, IAttemptReporter reporter, ShippedAttemptIdentity identity,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(workingDirectory);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(reporter);
        Assembly = assembly;
        WorkingDirectory = workingDirectory;
        Log = log;
        Reporter = reporter;
        Identity = identity;
        Services = services;
    }

    /// <summary>The shipment's main assembly as loaded where the code runs (in its own load context on a node).</summary>
    public Assembly Assembly { get; }

    /// <summary>A directory of the attempt's own: a fresh one per attempt on a node.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The attempt's log: on a node, its lines travel back to the attempt's log in the run's state directory.</summary>
    public TextWriter Log { get; }

    /// <summary>Sub-results of the attempt, as <c>::result</c> lines give for a command.</summary>
    public IAttemptReporter Reporter { get; }

    public ShippedAttemptIdentity Identity { get; }

    /// <summary>What the host offers shipped code (on a node: a <c>SkeinClient</c> connected to its cluster), or null.</summary>
    public IServiceProvider? Services { get; }
}

/// <summary>Which attempt shipped code runs for, and where.</summary>
/// <param name="Node">The node's name, or null in the run's own process.</param>
public readonly record struct ShippedAttemptIdentity(long RunId, string TaskId, int Attempt, string? Node);
