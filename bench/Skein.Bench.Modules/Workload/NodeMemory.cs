using System.Globalization;

namespace Skein.Bench.Modules.Workload;

/// <summary>A process's resident memory as the kernel counts it (/proc/PID/status), in bytes.</summary>
/// <param name="RssShmem">Shared memory: the runtime maps the code it generates twice (writable, executable) through it.</param>
/// <param name="MappedModules">Module files under the bench's module directory still mapped into the node: one per load context alive.</param>
internal readonly record struct NodeMemory(long Rss, long RssAnon, long RssFile, long RssShmem, int MappedModules)
{
    public static NodeMemory Read(int processId, string moduleDirectory)
    {
        long rss = 0, anon = 0, file = 0, shmem = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kibibytes(line);
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kibibytes(line);
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kibibytes(line);
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal)) shmem = Kibibytes(line);
        }
        if (rss == 0) throw new InvalidOperationException($"no VmRSS in /proc/{processId}/status");
        return new NodeMemory(rss, anon, file, shmem, MappedFiles(processId, moduleDirectory));
    }

    // A module's assembly is mapped from its file while its load context lives and unmapped when the context is
    // collected, so the count of module files in the node's map tells, from outside, how many contexts are still there.
    private static int MappedFiles(int processId, string moduleDirectory)
    {
        var prefix = Path.TrimEndingDirectorySeparator(moduleDirectory) + Path.DirectorySeparatorChar;
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{processId}/maps"))
        {
            var start = line.IndexOf(prefix, StringComparison.Ordinal);
            if (start >= 0) files.Add(line[start..]);
        }
        return files.Count;
    }

    /// <summary>
    /// Samples every 250 ms for <paramref name="settle"/> and returns the last reading: long enough for the node's
    /// collection after unloads (a second after the last one) to run and its memory to go back to the system.
    /// </summary>
    public static async Task<NodeMemory> SettleAsync(int processId, string moduleDirectory, TimeSpan settle, CancellationToken cancellationToken)
    {
        var end = DateTime.UtcNow + settle;
        var last = Read(processId, moduleDirectory);
        while (DateTime.UtcNow < end)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            last = Read(processId, moduleDirectory);
        }
        return last;
    }

    // "VmRSS:	   71234 kB"
    private static long Kibibytes(string line)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : 0;
    }
}
