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
    public static List<string> Match(string baseDirectory, IEnumerable<string> patterns)
    {
        // Case-sensitive like the file systems commands run on; the library's default ignores case.
        var matcher = new Matcher(StringComparison.Ordinal);
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith('!')) matcher.AddExclude(pattern[1..]);
            else matcher.AddInclude(pattern);
        }

        var files = new List<string>();
        if (!Directory.Exists(baseDirectory)) return files;
        var result = matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(baseDirectory)));
        foreach (var match in result.Files) files.Add(match.Path.Replace('\\', '/'));
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
