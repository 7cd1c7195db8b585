using Skein.Shared.Artifacts;

namespace Skein.Engine;

/// <summary>
/// The artifacts of one run, stored with it by content: <c>STATE/artifacts/RUN/SHA256</c>, beside the run's logs.
/// What the run's commands collect in this process goes here, within the run's limit, and their dependents' inputs
/// come from here.
/// </summary>
internal sealed class RunArtifactStore : IArtifactSink, IArtifactSource
{
    /// <summary>The folder of the state directory that holds the artifacts, one folder per run.</summary>
    public const string DirectoryName = "artifacts";

    private readonly Lazy<ArtifactBudget> _budget;

    public RunArtifactStore(string stateDirectory, string runFolder, long limit)
    {
        Root = Path.GetFullPath(Path.Combine(stateDirectory, DirectoryName));
        Blobs = new ArtifactBlobs(Path.Combine(Root, runFolder));
        // Counted from what is there when first needed: a resumed run starts with what it adopted.
        _budget = new Lazy<ArtifactBudget>(() => new ArtifactBudget(limit, Blobs.StoredBytes()));
    }

    /// <summary>The state directory's artifacts folder, which holds every run's.</summary>
    public string Root { get; }

    public ArtifactBlobs Blobs { get; }

    public ArtifactBudget Budget => _budget.Value;

    public async Task<(string Sha256, long Size)> StoreAsync(string taskId, string relativePath, Stream content, long length, CancellationToken cancellationToken)
    {
        var budget = Budget;
        // A file that cannot fit is refused before a byte of it is written.
        if (budget.Used + length > budget.Limit) throw new ArtifactLimitException(ArtifactBudget.OverLimit(taskId, relativePath, length, budget.Limit, budget.Used));
        return await Blobs.StoreAsync(content, budget, read => ArtifactBudget.OverLimit(taskId, relativePath, Math.Max(read, length), budget.Limit, budget.Used),
            cancellationToken).ConfigureAwait(false);
    }

    public Task<string> LocalFileAsync(ArtifactFile file, CancellationToken cancellationToken)
    {
        var path = Blobs.PathOf(file.Sha256);
        if (!File.Exists(path)) throw new IOException($"its content ({file.Sha256}) is not in the run's artifact store {Blobs.Directory}");
        return Task.FromResult(path);
    }

    /// <summary>Makes a reused result's artifacts part of this run, from the runs that stored them; false when one is gone.</summary>
    public bool Adopt(IReadOnlyList<ArtifactFile> files, IEnumerable<long> fromRuns)
    {
        var directories = fromRuns.Distinct().Select(id => Path.Combine(Root, id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        foreach (var file in files)
        {
            if (!ArtifactPaths.IsSha256(file.Sha256) || !Blobs.Adopt(file.Sha256, directories)) return false;
        }
        return true;
    }
}
