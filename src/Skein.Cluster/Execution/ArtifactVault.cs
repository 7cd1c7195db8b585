using System.Collections.Concurrent;
using System.Globalization;
using Skein.Cluster.Configuration;
using Skein.Shared.Artifacts;

namespace Skein.Cluster.Execution;

/// <summary>
/// The coordinator's store of the artifacts of the runs on the cluster: <c>STATE/artifacts/RUN/SHA256</c>, the same
/// layout a run in one process keeps under its state directory, so a run the coordinator hosts and resumes finds its
/// earlier artifacts where its own engine looks. Each run's distinct content is held to the run's limit.
/// </summary>
internal sealed class ArtifactVault(CoordinatorOptions options)
{
    private readonly ConcurrentDictionary<long, (ArtifactBlobs Blobs, ArtifactBudget Budget)> _runs = new();

    public string Root { get; } = Path.GetFullPath(Path.Combine(options.StateDirectory, "artifacts"));

    /// <summary>The run's store and budget; the budget starts from what the store already holds (a resumed run's adopted content).</summary>
    /// <param name="limit">The run's limit; 0: the coordinator's default. The first one given for a run holds.</param>
    public (ArtifactBlobs Blobs, ArtifactBudget Budget) Run(long runId, long limit)
    {
        if (_runs.TryGetValue(runId, out var known)) return known;
        var blobs = new ArtifactBlobs(Path.Combine(Root, runId.ToString(CultureInfo.InvariantCulture)));
        return _runs.GetOrAdd(runId, _ => (blobs, new ArtifactBudget(limit > 0 ? limit : options.ArtifactLimit, blobs.StoredBytes())));
    }

    /// <summary>Where the run's content of that hash is, or null when the run's store does not hold it.</summary>
    public string? Find(long runId, string sha256)
    {
        if (!ArtifactPaths.IsSha256(sha256)) return null;
        var path = Path.Combine(Root, runId.ToString(CultureInfo.InvariantCulture), sha256);
        return File.Exists(path) ? path : null;
    }
}
