using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Skein.Engine.JobFiles;

/// <summary>Finds the files a foreach task runs over.</summary>
internal static class FileGlob
{
    /// <summary>
    /// Files under <paramref name="baseDirectory"/> matching any include pattern and no exclude pattern (written
    /// with a leading '!'), as paths relative to it with '/' separators, sorted ordinally so copies keep a stable order.
    /// </summary>
    /// <remarks>
    /// The walk is bounded (<see cref="JobLimits.MaxGlobDepth"/>, <see cref="JobLimits.MaxGlobEntries"/>), does not
    /// enter symlinked directories unless <paramref name="followSymlinks"/>, and never throws for the file system:
    /// a directory it cannot read, or a limit it reaches, is a problem in the result, naming the path.
    /// </remarks>
    public static GlobResult Match(string baseDirectory, IEnumerable<string> patterns, bool followSymlinks)
    {
        // Case-sensitive like the file systems commands run on; the library's default ignores case.
        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith('!')) matcher.AddExclude(pattern[1..]);
            else matcher.AddInclude(pattern);
        }

        var walk = new Walk(followSymlinks);
        var files = new List<string>();
        if (!Directory.Exists(baseDirectory)) return new GlobResult(files, walk.Problems);
        var root = new DirectoryInfo(baseDirectory);
        var result = matcher.Execute(new GuardedDirectory(root, walk, depth: 0, [RealPath(root)]));
        // Past a limit the list is incomplete: no copies at all is better than some of them.
        if (walk.Stopped) return new GlobResult(files, walk.Problems);
        foreach (var match in result.Files) files.Add(match.Path.Replace('\\', '/'));
        files.Sort(StringComparer.Ordinal);
        return new GlobResult(files, walk.Problems);
    }

    private static string RealPath(DirectoryInfo directory)
    {
        try
        {
            return directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName is { } target
                ? Path.TrimEndingDirectorySeparator(target)
                : Path.TrimEndingDirectorySeparator(directory.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Path.TrimEndingDirectorySeparator(directory.FullName);
        }
    }

    /// <summary>What one glob walk has seen so far, shared by every directory of it.</summary>
    private sealed class Walk(bool followSymlinks)
    {
        public bool FollowSymlinks { get; } = followSymlinks;
        public List<string> Problems { get; } = [];
        public bool Stopped { get; private set; }
        private int _entries;

        /// <summary>Counts one entry; false (the walk stops, reported once) past the limit.</summary>
        public bool Count(string directory)
        {
            if (Stopped) return false;
            if (++_entries <= JobLimits.MaxGlobEntries) return true;
            Stop($"looked at more than {Number.Text(JobLimits.MaxGlobEntries)} files and directories (the limit), the last in {directory}; narrow the glob");
            return false;
        }

        public void Stop(string problem)
        {
            if (Stopped) return;
            Stopped = true;
            Problems.Add(problem);
        }

        public void Failed(string problem)
        {
            if (!Problems.Contains(problem)) Problems.Add(problem);
        }
    }

    /// <summary>
    /// A directory as the matcher sees it. Listing it is where the file system is touched, so that is where the
    /// limits, the symlink rule and the error handling are.
    /// </summary>
    private sealed class GuardedDirectory(DirectoryInfo info, Walk walk, int depth, IReadOnlyList<string> realPaths, bool isParent = false)
        : DirectoryInfoBase
    {
        public override string Name => isParent ? ".." : info.Name;
        public override string FullName => info.FullName;
        public override DirectoryInfoBase? ParentDirectory =>
            info.Parent is { } parent ? new GuardedDirectory(parent, walk, Math.Max(depth - 1, 0), [RealPath(parent)]) : null;

        public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
        {
            if (walk.Stopped) return [];
            if (depth > JobLimits.MaxGlobDepth)
            {
                walk.Stop($"goes more than {JobLimits.MaxGlobDepth} directories deep (the limit) at {info.FullName}");
                return [];
            }
            List<FileSystemInfo> entries;
            try
            {
                entries = [.. info.EnumerateFileSystemInfos("*", SearchOption.TopDirectoryOnly)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                walk.Failed($"cannot read the directory {info.FullName}: {ex.Message}");
                return [];
            }

            var result = new List<FileSystemInfoBase>(entries.Count);
            foreach (var entry in entries)
            {
                if (!walk.Count(info.FullName)) return [];
                if (entry is FileInfo file)
                {
                    result.Add(new FileInfoWrapper(file));
                }
                else if (entry is DirectoryInfo directory && Child(directory) is { } child)
                {
                    result.Add(child);
                }
            }
            return result;
        }

        public override DirectoryInfoBase? GetDirectory(string path)
        {
            if (path == "..") return info.Parent is { } parent ? new GuardedDirectory(parent, walk, depth, [.. realPaths, RealPath(parent)], isParent: true) : null;
            foreach (var entry in EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfoBase directory && string.Equals(directory.Name, path, StringComparison.Ordinal)) return directory;
            }
            return null;
        }

        public override FileInfoBase GetFile(string path) => new FileInfoWrapper(new FileInfo(Path.Combine(info.FullName, path)));

        /// <summary>The child to walk into, or null: a symlink not asked to be followed, or one leading back up the walk.</summary>
        private GuardedDirectory? Child(DirectoryInfo directory)
        {
            if (directory.LinkTarget is null)
            {
                return new GuardedDirectory(directory, walk, depth + 1, [.. realPaths, Path.Combine(realPaths[^1], directory.Name)]);
            }
            if (!walk.FollowSymlinks) return null;
            var real = RealPath(directory);
            foreach (var above in realPaths)
            {
                if (!string.Equals(above, real, StringComparison.Ordinal)) continue;
                // Following it would walk the same directories again and again until a limit stopped it.
                walk.Failed($"the symlink {directory.FullName} leads back to {real}, a directory the glob is already in (a loop)");
                return null;
            }
            return new GuardedDirectory(directory, walk, depth + 1, [.. realPaths, real]);
        }
    }
}

/// <summary>The files a glob matched (sorted), and the problems met on the way, each naming its path.</summary>
internal sealed record GlobResult(List<string> Files, List<string> Problems);
