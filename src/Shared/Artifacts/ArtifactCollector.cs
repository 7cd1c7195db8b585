namespace Skein.Shared.Artifacts;

/// <summary>Where collected artifacts go: the run's store here, or the coordinator from a node.</summary>
internal interface IArtifactSink
{
    /// <summary>Stores one file's content, read in chunks; returns its SHA-256 and size.</summary>
    /// <exception cref="ArtifactLimitException">It does not fit the run's limit (the message says so).</exception>
    Task<(string Sha256, long Size)> StoreAsync(string taskId, string relativePath, Stream content, long length, CancellationToken cancellationToken);
}

/// <summary>Collects a task's artifacts from its working directory once it passed.</summary>
internal static class ArtifactCollector
{
    /// <summary>
    /// Every file the patterns match, stored through <paramref name="sink"/>, in path order; or the problem that fails
    /// the task (a walk that could not finish, a file that cannot be read, the run's limit).
    /// </summary>
    /// <param name="note">Told what is worth a line in the attempt's log (a pattern that matched nothing).</param>
    public static async Task<(List<ArtifactFile> Files, string? Problem)> CollectAsync(string workdir, IReadOnlyList<string> patterns, string taskId,
        IArtifactSink sink, Action<string>? note, CancellationToken cancellationToken)
    {
        var globs = new List<ArtifactGlob>(patterns.Count);
        foreach (var pattern in patterns)
        {
            if (!ArtifactGlob.TryParse(pattern, out var glob, out var problem)) return ([], problem);
            globs.Add(glob!);
        }
        var (paths, walkProblem) = ArtifactFinder.Find(workdir, globs);
        if (walkProblem is not null) return ([], walkProblem);
        if (paths.Count == 0)
        {
            note?.Invoke($"[skein: the artifact patterns of task '{taskId}' ({string.Join(", ", patterns)}) matched no files in {workdir}]\n");
            return ([], null);
        }
        var files = new List<ArtifactFile>(paths.Count);
        foreach (var path in paths)
        {
            var full = Path.Combine(workdir, path);
            try
            {
                await using var content = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                var (sha, size) = await sink.StoreAsync(taskId, path, content, content.Length, cancellationToken).ConfigureAwait(false);
                files.Add(new ArtifactFile(path, size, sha));
            }
            catch (ArtifactLimitException limit)
            {
                return ([], limit.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ([], $"cannot collect the artifact '{path}' of task '{taskId}': {ex.Message}");
            }
        }
        return (files, null);
    }
}
