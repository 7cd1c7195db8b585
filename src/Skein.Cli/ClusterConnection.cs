using System.CommandLine;
using Skein.Cluster;

namespace Skein.Cli;

/// <summary>Finds the cluster a command talks to and the token it presents, in the documented order.</summary>
internal static class ClusterConnection
{
    public const string ClusterVariable = "SKEIN_CLUSTER";
    public const string TokenVariable = "SKEIN_TOKEN";

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
    public static Uri ResolveAddress(string? cluster, string stateDirectory)
    {
        if (!string.IsNullOrWhiteSpace(cluster)) return ClusterAddress.Parse(cluster);
        if (Environment.GetEnvironmentVariable(ClusterVariable) is { Length: > 0 } fromEnv) return ClusterAddress.Parse(fromEnv);
        if (ConnectionFile.TryRead(stateDirectory) is { } file) return ClusterAddress.Parse(file.Address);
        throw new SkeinException(
            $"no cluster given and no running coordinator in the state directory {Path.GetFullPath(stateDirectory)}: " +
            $"start one with 'skein up' or 'skein coordinator', or give --cluster HOST:PORT (or set {ClusterVariable})");
    }

    /// <summary>--token-file, then SKEIN_TOKEN, then the token of the state directory.</summary>
    public static string ResolveToken(string? tokenFile, string stateDirectory)
    {
        if (!string.IsNullOrWhiteSpace(tokenFile))
        {
            if (!File.Exists(tokenFile)) throw new SkeinException($"token file not found: {tokenFile}");
            return ClusterToken.Read(tokenFile);
        }
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnv) return fromEnv.Trim();
        var path = ConnectionFile.TryRead(stateDirectory)?.TokenPath ?? Path.Combine(stateDirectory, ClusterToken.FileName);
        if (File.Exists(path)) return ClusterToken.Read(path);
        throw new SkeinException($"no cluster token: give --token-file PATH, set {TokenVariable}, or run where the coordinator's state directory is ({Path.GetFullPath(stateDirectory)})");
    }
}
