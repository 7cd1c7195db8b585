namespace Skein.Cluster.Addressing;

/// <summary>
/// The cluster could not be reached: nothing answers at its address, or it did not answer within the deadline.
/// Not bad input — the same command may work once the cluster is up or less busy — so the CLI exits 1 for it.
/// </summary>
public sealed class ClusterUnreachableException : SkeinException
{
    public ClusterUnreachableException(Uri address, string reason)
        : base($"cannot reach the cluster at {ClusterAddress.Format(address)}: {reason}")
    {
        Address = address;
    }

    public ClusterUnreachableException(Uri address, string reason, Exception innerException)
        : base($"cannot reach the cluster at {ClusterAddress.Format(address)}: {reason}", innerException)
    {
        Address = address;
    }

    /// <summary>The coordinator's address that was tried.</summary>
    public Uri Address { get; }
}
