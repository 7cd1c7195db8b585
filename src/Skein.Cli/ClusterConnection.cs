using System.CommandLine;
using Skein.Cluster;
using Skein.Cluster.Addressing;

namespace Skein.Cli;

/// <summary>Finds the cluster a command talks to and the token it presents, in the documented order.</summary>
internal static class ClusterConnection
{
    public const string ClusterVariable = ClusterLocator.ClusterVariable;
    public const string TokenVariable = ClusterLocator.TokenVariable;

    public static Option<string?> ClusterOption() => new("--cluster")
    {
        Description = $"The coordinator, HOST:PORT (default: ${ClusterVariable}, then the connection file in the state directory).",
        HelpName = "ADDR",
    };

    public static Option<string?> TokenFileOption() => new("--token-file")
    {
        Description = $"File holding the cluster token (default: ${TokenVariable}, then the token named by the state directory's connection file).",
        HelpName = "PATH",
    };

    /// <summary>--cluster, then SKEIN_CLUSTER, then the connection file in the state directory.</summary>
    public static Uri ResolveAddress(string? cluster, string stateDirectory) => ClusterLocator.ResolveAddress(cluster, stateDirectory);

    /// <summary>--token-file, then SKEIN_TOKEN, then the token of the state directory.</summary>
    public static string ResolveToken(string? tokenFile, string stateDirectory) => ClusterLocator.ResolveToken(tokenFile, stateDirectory);
}
