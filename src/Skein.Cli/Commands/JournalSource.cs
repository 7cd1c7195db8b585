using System.CommandLine;
using Skein.Cluster.Runs;

namespace Skein.Cli.Commands;

/// <summary>
/// Where <c>skein runs</c>, <c>show</c> and <c>logs</c> read: the coordinator's journal when a cluster is named (its
/// runs live there), else the journal in the state directory; <c>--local</c> reads the state directory's anyway.
/// </summary>
internal static class JournalSource
{
    public static (Option<string?> Cluster, Option<string?> TokenFile, Option<bool> Local) Options() =>
        (ClusterConnection.ClusterOption(), ClusterConnection.TokenFileOption(),
         new Option<bool>("--local") { Description = "Read the journal in the state directory even when a cluster is named." });

    /// <summary>A client of the named cluster, or null to read the state directory's journal.</summary>
    public static RunsClient? Cluster(ParseResult parse, Option<string?> cluster, Option<string?> tokenFile, Option<bool> local, Option<string> state)
    {
        var stateDirectory = parse.GetValue(state)!;
        if (parse.GetValue(local))
        {
            if (!string.IsNullOrWhiteSpace(parse.GetValue(cluster))) throw new SkeinException("--local reads the state directory's journal: it cannot go with --cluster");
            return null;
        }
        if (ClusterTarget.Find(parse.GetValue(cluster), stateDirectory) is not { } address) return null;
        return new RunsClient(address, ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory));
    }
}
