using Skein.Shared.Artifacts;

namespace Skein.Engine;

// Artifacts: what a task's direct needs handed on reaches its attempts; what an attempt hands on is checked and kept.
public sealed partial class JobRun
{
    /// <summary>True once any task of the run hands files on: only then are attempts' inputs looked up.</summary>
    private volatile bool _handsOnArtifacts;

    private RunArtifactStore? _artifactStore;

    /// <summary>The most bytes of artifacts the run stores: the job's own limit, else the run options'.</summary>
    private long ArtifactLimit => _job.ArtifactLimit ?? _options.ArtifactLimit;

    RunArtifactStore IRunHost.Artifacts => ArtifactStore;

    private RunArtifactStore ArtifactStore =>
        LazyInitializer.EnsureInitialized(ref _artifactStore, () => new RunArtifactStore(_options.StateDirectory, _runFolder, ArtifactLimit));

    private void NoteArtifacts(TaskSpec spec)
    {
        if (spec.Artifacts.Count > 0) _handsOnArtifacts = true;
    }

    /// <summary>
    /// The artifacts the task's direct needs handed on, for its attempt; null when there are none. Two needs that hand
    /// on different content under one path are a problem no attempt can solve.
    /// </summary>
    private IReadOnlyList<ArtifactFile>? InputArtifacts(TaskSpec spec, out string? conflict)
    {
        conflict = null;
        if (!_handsOnArtifacts) return null;
        List<ArtifactFile>? inputs = null;
        Dictionary<string, (ArtifactFile File, string From)>? byPath = null;
        lock (_lock)
        {
            if (!_nodes.TryGetValue(spec.Id, out var node)) return null;
            foreach (var dep in node.Deps)
            {
                if (dep.Result is not { Artifacts.Count: > 0 } result) continue;
                foreach (var file in result.Artifacts)
                {
                    byPath ??= new Dictionary<string, (ArtifactFile, string)>(StringComparer.Ordinal);
                    if (byPath.TryGetValue(file.Path, out var first))
                    {
                        if (first.File.Sha256 != file.Sha256)
                        {
                            conflict = $"tasks '{first.From}' and '{dep.Id}' both hand on '{file.Path}', with different content; task '{spec.Id}' cannot receive both";
                            return null;
                        }
                        continue;
                    }
                    byPath[file.Path] = (file, dep.Id);
                    (inputs ??= []).Add(file);
                }
            }
        }
        return inputs;
    }

    /// <summary>What an executor returned as the attempt's artifacts, checked; the problem when they break the rules.</summary>
    private static string? CheckArtifacts(IReadOnlyList<ArtifactFile> files)
    {
        if (files.Count > ArtifactFinder.MaxFiles) return $"the attempt handed on {files.Count} artifacts; a task hands on at most {ArtifactFinder.MaxFiles}";
        foreach (var file in files)
        {
            if (file is null) return "the attempt handed on an artifact that is null";
            if (ArtifactPaths.Check(file.Path) is { } problem) return problem;
            if (!ArtifactPaths.IsSha256(file.Sha256) || file.Size < 0) return $"the artifact '{file.Path}' has no valid SHA-256 or size";
        }
        return null;
    }

    /// <summary>
    /// Makes a result --resume reuses keep its artifacts in this run's store (from the run that stored them); false when
    /// their content is gone, and the task then runs again.
    /// </summary>
    private bool AdoptArtifacts(PreviousResult previous, long resumedRun)
    {
        if (previous.Artifacts.Count == 0) return true;
        return ArtifactStore.Adopt(previous.Artifacts, [resumedRun, previous.RunId]);
    }
}
