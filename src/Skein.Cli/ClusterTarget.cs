using Skein.Cluster;
using Skein.Cluster.Addressing;

namespace Skein.Cli;

/// <summary>
/// Whether a command that can work either way (run, runs, show, logs) talks to a cluster: it does when one is named
/// — <c>--cluster</c>, <c>SKEIN_CLUSTER</c>, or the connection file of a coordinator still running from the state
/// directory — and works on this machine otherwise.
/// </summary>
internal static class ClusterTarget
{
    /// <summary>The cluster's address, or null when none is named.</summary>
    public static Uri? Find(string? cluster, string stateDirectory)
    {
        if (!string.IsNullOrWhiteSpace(cluster)) return ClusterAddress.Parse(cluster);
        if (Environment.GetEnvironmentVariable(ClusterConnection.ClusterVariable) is { Length: > 0 } fromEnv) return ClusterAddress.Parse(fromEnv);
        // A file left by a coordinator that was killed names no cluster: the work stays here, as before it started.
        if (ConnectionFile.TryRead(stateDirectory) is { } file && Posix.Exists(file.ProcessId)) return ClusterAddress.Parse(file.Address);
        return null;
    }

    /// <summary>The address, or an error saying how to name one.</summary>
    public static Uri Require(string? cluster, string stateDirectory, string command) =>
        Find(cluster, stateDirectory) ?? throw new SkeinException(
            $"'{command}' works on a cluster and none is named: give --cluster HOST:PORT (or set {ClusterConnection.ClusterVariable}), " +
            $"or run it where a coordinator's state directory is (no coordinator is running from {Path.GetFullPath(stateDirectory)})");

    /// <summary>True when the cluster was named on purpose (flag or variable), not found in the state directory.</summary>
    public static bool NamedExplicitly(string? cluster) =>
        !string.IsNullOrWhiteSpace(cluster) || Environment.GetEnvironmentVariable(ClusterConnection.ClusterVariable) is { Length: > 0 };
}
