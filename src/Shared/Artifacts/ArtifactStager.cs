namespace Skein.Shared.Artifacts;

/// <summary>Where an attempt's input artifacts come from: the run's store here, or a node's cache (fetched from the coordinator).</summary>
internal interface IArtifactSource
{
    /// <summary>A local file with the artifact's content (fetched first when it is not here yet).</summary>
    Task<string> LocalFileAsync(ArtifactFile file, CancellationToken cancellationToken);
}

/// <summary>Puts the artifacts a task's needs handed on into its working directory before it starts.</summary>
internal static class ArtifactStager
{
    /// <summary>
    /// Places every input under <paramref name="workdir"/> at its relative path; a file already there with the same
    /// content (a shared directory, where the producer wrote it) is left as it is. Returns the problem, or null.
    /// </summary>
    public static async Task<string?> StageAsync(string workdir, IReadOnlyList<ArtifactFile> inputs, IArtifactSource source, CancellationToken cancellationToken)
    {
        foreach (var input in inputs)
        {
            if (!ArtifactPaths.IsSha256(input.Sha256)) return $"the input artifact '{input.Path}' has no valid SHA-256 ('{input.Sha256}')";
            var target = ArtifactPaths.Prepare(workdir, input.Path, out var problem);
            if (target is null) return problem;
            try
            {
                if (await HoldsAsync(target, input, cancellationToken).ConfigureAwait(false)) continue;
                var local = await source.LocalFileAsync(input, cancellationToken).ConfigureAwait(false);
                var incoming = Path.Combine(Path.GetDirectoryName(target)!, $".skein-incoming-{Guid.NewGuid():N}");
                try
                {
                    File.Copy(local, incoming);
                    // Replaces a file or symlink of that name, never what a symlink points at.
                    File.Move(incoming, target, overwrite: true);
                }
                finally
                {
                    ArtifactBlobs.TryDelete(incoming);
                }
            }
            catch (ArtifactLimitException ex)
            {
                return ex.Message;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"cannot place the input artifact '{input.Path}' in {workdir}: {ex.Message}";
            }
        }
        return null;
    }

    /// <summary>True when the target is a regular file with the artifact's content already.</summary>
    private static async Task<bool> HoldsAsync(string target, ArtifactFile input, CancellationToken cancellationToken)
    {
        var info = new FileInfo(target);
        if (!info.Exists || info.LinkTarget is not null || info.Length != input.Size) return false;
        return await ArtifactHash.OfFileAsync(target, cancellationToken).ConfigureAwait(false) == input.Sha256;
    }
}
