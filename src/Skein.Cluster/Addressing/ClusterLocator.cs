namespace Skein.Cluster.Addressing;

/// <summary>
/// Finds the cluster and its token the way every skein command does: an explicit value, then the environment
/// (<c>SKEIN_CLUSTER</c>, <c>SKEIN_TOKEN</c>), then the connection file of the state directory.
/// </summary>
public static class ClusterLocator
{
    public const string ClusterVariable = "SKEIN_CLUSTER";
    public const string TokenVariable = "SKEIN_TOKEN";
    public const string StateVariable = "SKEIN_STATE";

    /// <summary><c>SKEIN_STATE</c>, else <c>.skein</c> in the working directory.</summary>
    public static string DefaultStateDirectory =>
        Environment.GetEnvironmentVariable(StateVariable) is { Length: > 0 } fromEnv ? fromEnv : ".skein";

    /// <summary><paramref name="cluster"/>, then SKEIN_CLUSTER, then the connection file in the state directory.</summary>
    public static Uri ResolveAddress(string? cluster, string stateDirectory)
    {
        if (!string.IsNullOrWhiteSpace(cluster)) return ClusterAddress.Parse(cluster);
        if (Environment.GetEnvironmentVariable(ClusterVariable) is { Length: > 0 } fromEnv) return ClusterAddress.Parse(fromEnv);
        if (ConnectionFile.TryRead(stateDirectory) is { } file) return ClusterAddress.Parse(file.Address);
        throw new SkeinException(
            $"no cluster given and no running coordinator in the state directory {Path.GetFullPath(stateDirectory)}: " +
            $"start one with 'skein up' or 'skein coordinator', or give --cluster HOST:PORT (or set {ClusterVariable})");
    }

    /// <summary>The token in <paramref name="tokenFile"/>, then SKEIN_TOKEN, then the token of the state directory.</summary>
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
