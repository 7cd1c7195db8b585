namespace Skein.Shared.Artifacts;

/// <summary>
/// Finds the files a task's artifact patterns match in its working directory: regular files only (a symlink is
/// neither followed nor collected), walking only the directories some pattern can still match below, bounded in
/// depth, in entries looked at and in files matched.
/// </summary>
internal static class ArtifactFinder
{
    public const int MaxDepth = 32;
    public const int MaxEntries = 1_000_000;

    /// <summary>The most files one task hands on.</summary>
    public const int MaxFiles = 10_000;

    /// <summary>The matching files' paths relative to <paramref name="root"/> ('/'-separated, ordinal order), or the problem that stopped the walk.</summary>
    public static (List<string> Files, string? Problem) Find(string root, IReadOnlyList<ArtifactGlob> globs)
    {
        var files = new List<string>();
        var includes = globs.Where(g => !g.IsExclude).ToArray();
        var excludes = globs.Where(g => g.IsExclude).ToArray();
        if (includes.Length == 0 || !Directory.Exists(root)) return (files, null);
        var walk = new Walk(includes, excludes, files);
        var start = includes.Select(g => g.Start()).ToArray();
        try
        {
            walk.Directory(new DirectoryInfo(root), [], start, 0);
        }
        catch (WalkStopped stopped)
        {
            return ([], stopped.Message);
        }
        files.Sort(StringComparer.Ordinal);
        return (files, null);
    }

    private sealed class WalkStopped(string message) : Exception(message);

    private sealed class Walk(ArtifactGlob[] includes, ArtifactGlob[] excludes, List<string> files)
    {
        private int _entries;

        public void Directory(DirectoryInfo directory, List<string> path, HashSet<int>[] states, int depth)
        {
            if (depth > MaxDepth) throw new WalkStopped($"the artifact patterns go more than {MaxDepth} directories deep at {directory.FullName}");
            FileSystemInfo[] entries;
            try
            {
                entries = directory.GetFileSystemInfos();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                throw new WalkStopped($"cannot read the directory {directory.FullName} for artifacts: {ex.Message}");
            }
            Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var entry in entries)
            {
                if (++_entries > MaxEntries)
                    throw new WalkStopped($"the artifact patterns looked at more than {MaxEntries:N0} files and directories (the limit), the last in {directory.FullName}; narrow them");
                if (entry.LinkTarget is not null) continue; // neither followed nor collected
                var next = new HashSet<int>[states.Length];
                var any = false;
                var accepted = false;
                for (var i = 0; i < states.Length; i++)
                {
                    next[i] = states[i].Count == 0 ? states[i] : includes[i].Advance(states[i], entry.Name);
                    if (next[i].Count > 0) any = true;
                    if (includes[i].Accepts(next[i])) accepted = true;
                }
                if (!any) continue;
                path.Add(entry.Name);
                if (entry is DirectoryInfo child)
                {
                    Directory(child, path, next, depth + 1);
                }
                else if (accepted && entry is FileInfo && !Excluded(path))
                {
                    if (files.Count >= MaxFiles) throw new WalkStopped($"the artifact patterns match more than {MaxFiles:N0} files (the limit); narrow them or pack the files into one");
                    files.Add(string.Join('/', path));
                }
                path.RemoveAt(path.Count - 1);
            }
        }

        private bool Excluded(List<string> path)
        {
            foreach (var exclude in excludes) if (exclude.Matches(path)) return true;
            return false;
        }
    }
}
